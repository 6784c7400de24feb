/* Catalogue form: fields that apply only to some entries (a legal basis for not-shared
 * entries, conditions for conditional ones, the theme of thematic ones…) are shown only when
 * they apply. Each such input carries data-govshare-show-when="<field>=<value>". */
(function () {
  function groupOf(input) {
    return input.closest('.form-group') || input.parentElement;
  }
  function setUp() {
    var dependants = document.querySelectorAll('[data-govshare-show-when]');
    Array.prototype.forEach.call(dependants, function (input) {
      var rule = input.getAttribute('data-govshare-show-when').split('=');
      var control = document.getElementById('field-' + rule[0]);
      if (!control) { return; }
      var group = groupOf(input);
      var hasError = group && group.querySelector('.error-block, .invalid-feedback');
      function apply() {
        var show = control.value === rule[1] || Boolean(hasError);
        if (group) { group.hidden = !show; }
      }
      control.addEventListener('change', function () { hasError = null; apply(); });
      apply();
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', setUp);
  } else {
    setUp();
  }
})();
