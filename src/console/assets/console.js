// Live parts of the console: every element with data-live="URL" is refreshed from URL (an HTML
// fragment) every data-interval ms. The server answers 304 while the fragment is unchanged. The
// pages are complete without this script; it only saves reloading them.
(function () {
  'use strict';

  function scrollToEnd(el) {
    el.scrollTop = el.scrollHeight;
  }

  function watch(el) {
    var url = el.getAttribute('data-live');
    var interval = Number(el.getAttribute('data-interval')) || 1000;
    var etag = null;
    var bottom = el.getAttribute('data-scroll') === 'bottom';
    if (bottom) scrollToEnd(el);

    function tick() {
      if (document.hidden) return schedule();
      // The header marks a live poll (console/live.ts): signed out, the server answers 401, not the sign-in page.
      var headers = { 'X-Console-Live': '1' };
      if (etag) headers['If-None-Match'] = etag;
      fetch(url, { headers: headers, credentials: 'same-origin', cache: 'no-store' })
        .then(function (res) {
          if (res.status === 401) {
            // The session ended: reloading the page takes the browser to sign-in, and back here after.
            location.reload();
            return 'stop';
          }
          if (res.status === 200) {
            etag = res.headers.get('ETag');
            return res.text().then(function (text) {
              var follow = bottom && el.scrollHeight - el.scrollTop - el.clientHeight < 40;
              el.innerHTML = text;
              el.setAttribute('data-updated', String(Date.now()));
              if (follow) scrollToEnd(el);
            });
          }
          if (res.status === 304) etag = res.headers.get('ETag') || etag;
          return undefined;
        })
        .catch(function () {
          // The gateway restarted or the network blinked: try again at the next tick.
        })
        .then(function (outcome) {
          if (outcome !== 'stop') schedule();
        });
    }

    function schedule() {
      setTimeout(tick, interval);
    }

    schedule();
  }

  document.querySelectorAll('[data-live]').forEach(watch);
})();
