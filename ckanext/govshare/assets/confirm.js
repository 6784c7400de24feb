/* Confirmations before irreversible decisions (issue 19, item 6).
 *
 * One registry says which forms ask before they are sent: a form (or its submit button) with
 * a data-govshare-confirm attribute asks with that text (templates render it with _()); any
 * other form asks when its action URL and the pressed button's decision match a rule below,
 * with the rule's text in the page's language (English or Chinese, from <html lang>).
 * Cancelling keeps the page as it is: nothing is sent.
 */
(function () {
  "use strict";

  var ANY = null; // a rule for every decision the form may send

  // [action path pattern, decisions (ANY: whatever is pressed), {en, zh}]
  var RULES = [
    [/\/govshare\/requests\/[^/]+\/decide\/?$/, ["approve"], {
      en: "Approve this request? The grant takes effect at once; it can only be ended by revoking it.",
      zh: "确定同意该申请？授权将立即生效，之后只能通过撤销授权终止。"
    }],
    [/\/govshare\/requests\/[^/]+\/decide\/?$/, ["reject"], {
      en: "Reject this request? The requesting department is told at once and the decision cannot be undone.",
      zh: "确定拒绝该申请？将立即通知申请部门，决定不可撤回。"
    }],
    [/\/govshare\/requests\/[^/]+\/escalation\/?$/, ["grant"], {
      en: "Grant sharing in this dispute? The decision is final and a grant is created at once.",
      zh: "确定就该争议作出准予共享的决定？决定为最终决定，授权将立即生效。"
    }],
    [/\/govshare\/requests\/[^/]+\/escalation\/?$/, ["deny"], {
      en: "Deny sharing in this dispute? The decision is final.",
      zh: "确定就该争议作出不予共享的决定？决定为最终决定。"
    }],
    [/\/govshare\/requests\/[^/]+\/signoff\/?$/, ["approve"], {
      en: "Approve and send? It goes out in the department's name and cannot be called back.",
      zh: "确定审核通过并发送？将以本部门名义发出，发出后不可撤回。"
    }],
    [/\/govshare\/grants\/[^/]+\/revoke\/?$/, ANY, {
      en: "Revoke this grant? The holding department loses access at once; this cannot be undone.",
      zh: "确定撤销该授权？持有部门将立即失去访问权限，且不可恢复。"
    }],
    [/\/govshare\/grants\/[^/]+\/suspend\/?$/, ANY, {
      en: "Suspend this grant? The holding department cannot use the data until it is resumed.",
      zh: "确定暂停该授权？恢复之前，持有部门将无法使用数据。"
    }],
    [/\/govshare\/grants\/[^/]+\/terminate\/?$/, ANY, {
      en: "Terminate this grant? It ends for good and cannot be resumed.",
      zh: "确定终止该授权？授权将永久结束，不能恢复。"
    }],
    [/\/govshare\/(grants\/[^/]+\/)?tokens\/[^/]+\/revoke\/?$/, ANY, {
      en: "Revoke this token? Anything using it stops working at once.",
      zh: "确定撤销该令牌？使用该令牌的程序将立即失效。"
    }],
    [/\/govshare\/extensions\/[^/]+\/decide\/?$/, ["approve", "reject"], {
      en: "Decide this extension? The due date is set by your decision and both departments are told.",
      zh: "确定对该延期申请作出决定？答复期限将按您的决定确定，并通知双方部门。"
    }],
    [/\/govshare\/obligations\/[^/]+\/extension\/?$/, ["approve", "reject"], {
      en: "Decide this extension? The department is told at once.",
      zh: "确定对该延期申请作出决定？将立即通知相关部门。"
    }],
    [/\/govshare\/catalogue\/reviews\/[^/]+\/decide\/?$/, ["approve"], {
      en: "Approve and announce this entry? It is published in the catalogue at once.",
      zh: "确定审核通过并发布该目录？目录将立即对外发布。"
    }],
    [/\/govshare\/catalogue\/reviews\/[^/]+\/decide\/?$/, ["return"], {
      en: "Return this entry to the provider? The review ends and the provider is told.",
      zh: "确定将该目录退回提供部门？本次审核将结束并通知提供部门。"
    }]
  ];

  function chinese() {
    var lang = (document.documentElement.getAttribute("lang") || "").toLowerCase();
    return lang.indexOf("zh") === 0;
  }

  function pathOf(form) {
    var a = document.createElement("a");
    a.href = form.getAttribute("action") || window.location.href;
    // The patterns match the end of the path: a locale prefix (/zh_Hans_CN/...) is left alone.
    return a.pathname;
  }

  function decisionOf(form, submitter) {
    if (submitter && submitter.name === "decision") {
      return submitter.value;
    }
    var field = form.querySelector("[name=decision]:checked, select[name=decision]");
    return field ? field.value : "";
  }

  /** The question to ask before sending ``form`` by ``submitter``, or null. */
  function question(form, submitter) {
    var own = (submitter && submitter.getAttribute("data-govshare-confirm")) ||
      form.getAttribute("data-govshare-confirm");
    if (own) {
      return own;
    }
    var path = pathOf(form);
    var decision = decisionOf(form, submitter);
    for (var i = 0; i < RULES.length; i++) {
      var rule = RULES[i];
      if (rule[0].test(path) && (rule[1] === ANY || rule[1].indexOf(decision) !== -1)) {
        return chinese() ? rule[2].zh : rule[2].en;
      }
    }
    return null;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") {
      return;
    }
    var text = question(form, event.submitter || null);
    if (text && !window.confirm(text)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  window.govshareConfirm = {rules: RULES, question: question};
})();
