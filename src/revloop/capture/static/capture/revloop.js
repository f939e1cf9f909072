/* revloop website tracker: page views, asset clicks and opted-in form submissions, sent
 * to revloop's /v1/batch in the Segment spec. First-party only: the anonymous id lives in
 * this site's localStorage (a first-party cookie where storage is blocked). Nothing is
 * sent when Do Not Track or Global Privacy Control is on, nor before
 * revloop('consent', true) when the snippet sets requireConsent.
 *
 *   revloop('init', 'rlw_…', {host: 'https://revloop.example.com', requireConsent: false})
 *   revloop('page') · revloop('track', 'Demo Requested', {plan: 'pro'})
 *   revloop('identify', 'ada@example.com') · revloop('consent', true | false)
 *
 * Links: any <a data-revloop-asset="Buyer's guide"> or a link to a document (.pdf, .docx,
 * .pptx, .xlsx, .zip …) sends "Content Downloaded". Forms: <form data-revloop-form="Contact">
 * sends "Form Submitted" and identifies the visitor by the form's e-mail field
 * (type=email, a name containing "email", or data-revloop-email); no other field is read.
 */
(function (w, d) {
  'use strict';
  var ID = 'rl_aid', CONSENT = 'rl_consent', LIB = {name: 'revloop.js', version: '1'};
  var ASSET = /\.(pdf|docx?|pptx?|xlsx?|csv|zip|epub|key|odt|odp)([?#]|$)/i;
  var MAX_BATCH = 20;
  var cfg = null, queue = [], held = [], timer = 0, consent = null, warned = {};

  function say(level, text) {
    if (!warned[text] && w.console) { warned[text] = 1; w.console[level]('[revloop] ' + text); }
  }

  function store(name, value) {
    try {
      if (value === undefined) return w.localStorage.getItem(name) || cookie(name);
      if (value === null) w.localStorage.removeItem(name); else w.localStorage.setItem(name, value);
      return value;
    } catch (e) {
      // Storage blocked: a first-party cookie on this site's own domain instead.
      if (value === undefined) return cookie(name);
      d.cookie = name + '=' + (value || '') + ';path=/;SameSite=Lax;max-age=' + (value === null ? 0 : 31536000) +
        (location.protocol === 'https:' ? ';Secure' : '');
      return value;
    }
  }

  function cookie(name) {
    var m = d.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return m ? m[1] : null;
  }

  function uuid() {
    if (w.crypto && w.crypto.randomUUID) return w.crypto.randomUUID();
    return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0;
      return (c === 'x' ? r : (r & 3 | 8)).toString(16);
    });
  }

  function anonymousId() {
    return store(ID) || store(ID, uuid());
  }

  function dnt() {
    var n = w.navigator;
    return n.doNotTrack === '1' || n.doNotTrack === 'yes' || w.doNotTrack === '1' || n.globalPrivacyControl === true;
  }

  function campaign() {
    var out = {}, found = false, keys = {campaign: 'name', source: 'source', medium: 'medium', term: 'term', content: 'content'};
    var params = new URLSearchParams(location.search);
    for (var k in keys) {
      var v = params.get('utm_' + k);
      if (v) { out[keys[k]] = v; found = true; }
    }
    return found ? out : undefined;
  }

  function context() {
    return {
      library: LIB,
      page: {url: location.href, path: location.pathname, search: location.search, title: d.title, referrer: d.referrer},
      campaign: campaign(),
      userAgent: w.navigator.userAgent,
      locale: w.navigator.language
    };
  }

  function allowed() {
    if (!cfg) return false;
    if (cfg.respectDnt !== false && dnt()) { say('info', 'Do Not Track is on: nothing is sent'); return false; }
    return !cfg.requireConsent || consent === true;
  }

  function enqueue(message) {
    if (!cfg || consent === false) return;
    message.messageId = message.messageId || uuid();
    message.originalTimestamp = message.originalTimestamp || new Date().toISOString();
    message.context = message.context || context();
    if (!allowed()) {
      // Kept in this page only, sent if the visitor consents before leaving it.
      if (cfg.requireConsent && consent === null && !(cfg.respectDnt !== false && dnt())) held.push(message);
      return;
    }
    message.anonymousId = anonymousId();
    queue.push(message);
    if (queue.length >= MAX_BATCH) flush(); else if (!timer) timer = setTimeout(flush, cfg.flushMs);
  }

  function flush() {
    clearTimeout(timer);
    timer = 0;
    while (queue.length) {
      var body = JSON.stringify({batch: queue.splice(0, MAX_BATCH), sentAt: new Date().toISOString(), writeKey: cfg.key});
      // text/plain is a simple request: no preflight, and sendBeacon survives the page's unload.
      var blob = new Blob([body], {type: 'text/plain'});
      var sent = false;
      try { sent = w.navigator.sendBeacon && w.navigator.sendBeacon(cfg.url, blob); } catch (e) { sent = false; }
      if (!sent && w.fetch) {
        w.fetch(cfg.url, {method: 'POST', body: body, keepalive: true, credentials: 'omit', headers: {'Content-Type': 'text/plain'}})
          .then(function (r) { if (r.status === 401 || r.status === 403) r.json().then(function (j) { say('error', j.message); }); })
          ['catch'](function () { say('warn', 'cannot reach ' + cfg.url); });
      }
    }
  }

  function init(key, options) {
    options = options || {};
    var script = d.currentScript || d.querySelector('script[src$="/t.js"]');
    var host = options.host || (script && script.src ? new URL(script.src).origin : '');
    if (!key) return say('error', "no write key: call revloop('init', 'rlw_…') with the key from Settings → Tracking");
    if (key.indexOf('rlw_') !== 0) {
      return say('error', 'this is not a website key: a server write key must never be in a page; use the key from Settings → Tracking');
    }
    try { host = new URL(host).origin; } catch (e) { host = ''; }
    if (!/^https?:/.test(host)) return say('error', 'bad host ' + JSON.stringify(options.host) + ": give your revloop's address, e.g. https://revloop.example.com");
    cfg = {key: key, url: host + '/v1/batch', requireConsent: !!options.requireConsent, respectDnt: options.respectDnt, flushMs: options.flushMs || 1000};
    consent = store(CONSENT) === '1' ? true : null;
    if (options.page !== false) enqueue({type: 'page', properties: {}});
  }

  function onClick(event) {
    var a = event.target && event.target.closest && event.target.closest('a[href]');
    if (!a) return;
    var label = a.getAttribute('data-revloop-asset');
    if (label === null && !ASSET.test(a.pathname)) return;
    enqueue({type: 'track', event: 'Content Downloaded', properties: {
      url: a.href, asset: label || a.pathname.split('/').pop(), text: (a.textContent || '').trim().slice(0, 200)
    }});
    flush();
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute('data-revloop-form')) return;
    var field = form.querySelector('[data-revloop-email]') || form.querySelector('input[type=email]') || form.querySelector('input[name*=email i]');
    var email = field && field.value.trim();
    var name = form.getAttribute('data-revloop-form') || form.id || form.getAttribute('name') || location.pathname;
    if (email && email.indexOf('@') > 0) enqueue({type: 'identify', traits: {email: email}});
    else if (field) say('warn', 'form "' + name + '" was sent without an e-mail address');
    else say('warn', 'form "' + name + '" has no e-mail field (type=email or data-revloop-email)');
    enqueue({type: 'track', event: 'Form Submitted', properties: {form: name, action: form.action}});
    flush();
  }

  var api = {
    init: init,
    page: function (name, properties) { enqueue({type: 'page', name: name, properties: properties || {}}); },
    track: function (event, properties) { enqueue({type: 'track', event: event, properties: properties || {}}); },
    identify: function (traits) {
      enqueue({type: 'identify', traits: typeof traits === 'string' ? {email: traits} : traits});
    },
    consent: function (given) {
      consent = !!given;
      store(CONSENT, consent ? '1' : null);
      if (!consent) { store(ID, null); held = []; queue = []; return; }
      var waiting = held;
      held = [];
      for (var i = 0; i < waiting.length; i++) enqueue(waiting[i]);
    },
    flush: flush
  };

  function call(args) {
    var name = args[0];
    if (!api[name]) return say('error', 'unknown call ' + JSON.stringify(name));
    if (name !== 'init' && name !== 'consent' && !cfg) return say('error', "call revloop('init', key) first");
    api[name].apply(null, Array.prototype.slice.call(args, 1));
  }

  var pending = (w.revloop && w.revloop.q) || [];
  w.revloop = function () { call(arguments); };
  w.revloop.loaded = true;
  // Consent first, so a page view queued by init already knows the visitor's answer.
  pending.sort(function (a, b) { return (b[0] === 'consent') - (a[0] === 'consent'); });
  for (var i = 0; i < pending.length; i++) call(pending[i]);
  var script = d.currentScript;
  if (!cfg && script && script.getAttribute('data-key')) {
    init(script.getAttribute('data-key'), {host: script.getAttribute('data-host'), requireConsent: script.hasAttribute('data-require-consent')});
  }
  if (!cfg && !pending.length) say('error', "no write key: add revloop('init', 'rlw_…') before t.js, or data-key on its script tag");
  d.addEventListener('click', onClick, true);
  d.addEventListener('submit', onSubmit, true);
  w.addEventListener('pagehide', flush);
  d.addEventListener('visibilitychange', function () { if (d.visibilityState === 'hidden') flush(); });
})(window, document);
