/* CKAN asks for its JavaScript translations at /api/i18n/<locale>, turning the page's BCP 47
 * language (zh-Hans-CN) back into a locale with `replace('-', '_')`, which changes only the
 * first dash: the request for "zh_Hans-CN" fails, and because CKAN starts its JavaScript modules
 * only once the translations have loaded, no module starts on a Chinese page. Ask with every
 * dash turned. */
(function (ckan) {
  if (!ckan || !ckan.Client) { return; }
  var getLocaleData = ckan.Client.prototype.getLocaleData;
  ckan.Client.prototype.getLocaleData = function (locale, success, error) {
    return getLocaleData.call(this, String(locale || '').replace(/-/g, '_'), success, error);
  };
})(window.ckan);
