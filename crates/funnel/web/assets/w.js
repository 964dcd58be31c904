// Webinar tickets: shows the session's start in the visitor's own time zone beside the
// webinar's (the page is rendered in the webinar's zone; only the browser knows its own).
(function () {
  'use strict';
  var lang = document.documentElement.lang || undefined;
  var format = new Intl.DateTimeFormat(lang, {
    year: 'numeric', month: 'long', day: 'numeric', weekday: 'short',
    hour: '2-digit', minute: '2-digit', timeZoneName: 'short'
  });
  document.querySelectorAll('time[data-local-time]').forEach(function (el) {
    var d = new Date(el.getAttribute('datetime'));
    if (isNaN(d.getTime())) return;
    el.textContent = format.format(d);
    var box = el.closest('[hidden]');
    if (box) box.removeAttribute('hidden');
  });
})();
