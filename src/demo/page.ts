/**
 * The HTML of a Whatnot-style live chat page: a virtualized list like react-virtuoso's
 * (`[data-testid='virtuoso-item-list']`, rows `[data-testid='chat-message']` inside `[data-index]`
 * wrappers, only the last rows rendered, nodes created and removed as the list moves), fed by a
 * ChatRoom's SSE stream. Used by the built-in demo and by the capture fixtures.
 */

export type ListMode =
  /** react-virtuoso: rows keyed by running index; only the last `window` rows exist. */
  | 'virtual'
  /** Kick-like: a fixed pool of row nodes whose content and data-index slot are recycled. */
  | 'recycle'
  /** Every row appended and kept (up to 1,000). */
  | 'plain';

export interface ChatPageOptions {
  title: string;
  streamUrl: string;
  mode: ListMode;
  /** Rows rendered at once in virtual / recycle modes. */
  window: number;
  /** Show item cards (a product banner) above the chat, as a live-shopping page does. */
  showHeader?: boolean;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderChatPage(options: ChatPageOptions): string {
  const config = JSON.stringify(options).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: #111; color: #eee; display: flex; height: 100vh; }
  main { flex: 1; display: flex; align-items: center; justify-content: center; background: #222; }
  main h1 { font-size: 20px; color: #ffd84d; }
  aside { width: 360px; display: flex; flex-direction: column; border-left: 1px solid #333; }
  #scroller { flex: 1; overflow: hidden; position: relative; }
  [data-testid='virtuoso-item-list'] { position: absolute; bottom: 0; left: 0; right: 0; }
  [data-testid='chat-message'] { padding: 4px 10px; }
  [data-testid='chat-message'] strong { color: #8ecbff; margin-right: 6px; }
  [data-testid='chat-badge'] { font-size: 10px; font-weight: 700; text-transform: uppercase; background: #ffd84d; color: #111; border-radius: 3px; padding: 0 4px; margin-right: 4px; }
  [data-testid='chat-badge']::before { content: attr(aria-label); }
  .deleted { opacity: .4; text-decoration: line-through; }
  #ended { display: none; padding: 10px; background: #500; }
  input { margin: 8px; padding: 8px; background: #222; color: #eee; border: 1px solid #444; }
</style>
</head>
<body>
<main><h1 id="show-title">${escapeHtml(options.title)}</h1></main>
<aside>
  <div id="ended">This show has ended</div>
  <div id="scroller"><div data-testid="virtuoso-item-list"></div></div>
  <input data-testid="chat-input" placeholder="Say something...">
</aside>
<script>
(function () {
  var config = ${config};
  var list = document.querySelector("[data-testid='virtuoso-item-list']");
  var items = [];
  var nodes = new Map(); // index -> wrapper (virtual mode)
  var pool = [];         // recycled wrappers (recycle mode)
  var deleted = new Set();

  function fill(wrapper, item) {
    wrapper.setAttribute('data-index', String(config.mode === 'recycle' ? 270 + (item.index % config.window) : item.index));
    wrapper.setAttribute('data-known-size', '28');
    var row = wrapper.firstChild;
    if (!row) {
      row = document.createElement('div');
      row.setAttribute('data-testid', 'chat-message');
      var top = document.createElement('div');
      var strong = document.createElement('strong');
      top.appendChild(strong);
      var body = document.createElement('div');
      body.className = 'body';
      row.appendChild(top);
      row.appendChild(body);
      wrapper.appendChild(row);
    }
    row.querySelector('strong').textContent = item.author;
    // Role badges before the name, as Whatnot shows its host's: labelled, with no text of their own, so
    // the badge never becomes part of the message text the row is read for.
    var head = row.firstChild;
    var name = head.querySelector('strong');
    while (head.firstChild !== name) head.removeChild(head.firstChild);
    var badges = Array.isArray(item.badges) ? item.badges : [];
    for (var b = 0; b < badges.length; b++) {
      var badge = document.createElement('span');
      badge.setAttribute('data-testid', 'chat-badge');
      badge.setAttribute('role', 'img');
      badge.setAttribute('aria-label', String(badges[b]));
      head.insertBefore(badge, name);
    }
    row.querySelector('.body').textContent = item.text;
    row.className = deleted.has(item.id) ? 'deleted' : '';
  }

  function makeWrapper(item) {
    var wrapper = document.createElement('div');
    fill(wrapper, item);
    return wrapper;
  }

  function render(full) {
    if (full) { list.textContent = ''; nodes.clear(); pool = []; }
    if (config.mode === 'plain') {
      var start = list.childNodes.length === 0 ? Math.max(0, items.length - 1000) : null;
      if (start !== null) { for (var i = start; i < items.length; i++) list.appendChild(makeWrapper(items[i])); }
      return;
    }
    var from = Math.max(0, items.length - config.window);
    if (config.mode === 'virtual') {
      nodes.forEach(function (node, index) { if (index < from) { node.remove(); nodes.delete(index); } });
      for (var j = from; j < items.length; j++) {
        if (!nodes.has(j)) { var w = makeWrapper(items[j]); nodes.set(j, w); list.appendChild(w); }
      }
      return;
    }
    // recycle: a fixed pool of nodes, top one reused for the newest item
    var visible = items.slice(from);
    while (pool.length < visible.length) { var n = document.createElement('div'); pool.push(n); list.appendChild(n); }
    for (var k = 0; k < visible.length; k++) fill(pool[k], visible[k]);
  }

  function add(messages) {
    for (var i = 0; i < messages.length; i++) {
      items.push(messages[i]);
      if (config.mode === 'plain') list.appendChild(makeWrapper(messages[i]));
    }
    if (items.length > 5000) { items = items.slice(-2000); if (config.mode !== 'plain') render(true); }
    if (config.mode !== 'plain') render(false);
  }

  var source = new EventSource(config.streamUrl);
  source.onmessage = function (event) {
    var data = JSON.parse(event.data);
    if (data.type === 'history') { items = []; list.textContent = ''; nodes.clear(); pool = []; add(data.messages); }
    else if (data.type === 'messages') add(data.messages);
    else if (data.type === 'rerender') render(true), config.mode === 'plain' && rerenderPlain();
    else if (data.type === 'deleted') { deleted.add(data.id); render(true); if (config.mode === 'plain') rerenderPlain(); }
    else if (data.type === 'ended') { document.getElementById('ended').style.display = 'block'; source.close(); }
  };
  function rerenderPlain() {
    list.textContent = '';
    var start = Math.max(0, items.length - 1000);
    for (var i = start; i < items.length; i++) list.appendChild(makeWrapper(items[i]));
  }
  window.__chatPage = { items: function () { return items.length; }, rerender: function () { render(true); if (config.mode === 'plain') rerenderPlain(); } };
})();
</script>
</body>
</html>`;
}
