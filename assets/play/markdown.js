// markdown.js - the playground's small renderer of Discord's markdown: everything is escaped
// first, then the subset Discord draws (bold, italics, underline, strike, code, code blocks,
// quotes, headings, lists, masked links, timestamps, mentions, channels, custom emoji).
// Our own so the page needs no build step and no third-party licence.

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ESC[c]);
}

// Relative times ("in 5 minutes", "2 hours ago"), as <t:UNIX:R> shows them.
const UNITS = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];
export function relativeTime(unix, nowMs = Date.now()) {
  const diff = unix - Math.round(nowMs / 1000);
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, secs] of UNITS) {
    if (abs >= secs || unit === 'second') return rtf.format(Math.round(diff / secs), unit);
  }
  return '';
}

// The other timestamp styles, in the reader's own locale and zone as Discord shows them.
const STYLES = {
  t: { hour: 'numeric', minute: '2-digit' },
  T: { hour: 'numeric', minute: '2-digit', second: '2-digit' },
  d: { year: 'numeric', month: '2-digit', day: '2-digit' },
  D: { dateStyle: 'long' },
  f: { dateStyle: 'long', timeStyle: 'short' },
  F: { dateStyle: 'full', timeStyle: 'short' },
};
export function formatTimestamp(unix, style = 'f') {
  const d = new Date(unix * 1000);
  if (Number.isNaN(d.getTime())) return String(unix);
  return d.toLocaleString(undefined, STYLES[style] || STYLES.f);
}

// Every live relative time under root gets its text again (play.js calls this every few seconds).
export function updateRelativeTimes(root) {
  for (const el of root.querySelectorAll('time.ts-relative')) {
    el.textContent = relativeTime(Number(el.dataset.unix));
  }
}

function mentionName(id, ctx) {
  const name = ctx.players && ctx.players.get(id);
  return name ? '@' + name : '@Player ' + id.slice(-4);
}

// Inline markup of one escaped line.  Pieces that must not be touched again (code, links,
// timestamps) are parked in `keep` behind \u0000N\u0000 markers and put back at the end.
function inline(text, ctx, keep) {
  const park = (html) => {
    keep.push(html);
    return '\u0000' + (keep.length - 1) + '\u0000';
  };
  let s = text;
  s = s.replace(/`([^`]+)`/g, (_, c) => park('<code class="md-code">' + c + '</code>'));
  s = s.replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/gi, (_, label, url) =>
    park('<a class="md-link" href="' + url + '" target="_blank" rel="noopener noreferrer">' +
      label + '</a>'));
  s = s.replace(/&lt;t:(-?\d{1,13})(?::([tTdDfFR]))?&gt;/g, (_, unix, style) => {
    const title = escapeHtml(formatTimestamp(Number(unix), 'F'));
    if (style === 'R')
      return park('<time class="ts ts-relative" data-unix="' + unix + '" title="' + title + '">' +
        escapeHtml(relativeTime(Number(unix))) + '</time>');
    return park('<time class="ts" data-unix="' + unix + '" title="' + title + '">' +
      escapeHtml(formatTimestamp(Number(unix), style || 'f')) + '</time>');
  });
  s = s.replace(/&lt;@!?(\d{1,20})&gt;/g, (_, id) =>
    park('<span class="mention" data-user="' + id + '">' + escapeHtml(mentionName(id, ctx)) +
      '</span>'));
  s = s.replace(/&lt;#(\d{1,20})&gt;/g, (_, id) => {
    const name = (ctx.channels && ctx.channels.get(id)) || 'channel-' + id.slice(-4);
    return park('<span class="mention channel">#' + escapeHtml(name) + '</span>');
  });
  s = s.replace(/&lt;a?:(\w{1,32}):(\d{1,20})&gt;/g, (_, name) =>
    park('<span class="emoji">:' + name + ':</span>'));
  s = s.replace(/(^|[\s(])(https?:\/\/[^\s<]+[^\s<.,:;"')\]])/gi, (_, pre, url) =>
    pre + park('<a class="md-link" href="' + url + '" target="_blank" rel="noopener noreferrer">' +
      url + '</a>'));
  s = s.replace(/\*\*\*(.+?)\*\*\*/g, '<strong><em>$1</em></strong>');
  s = s.replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
  s = s.replace(/__(.+?)__/g, '<u>$1</u>');
  s = s.replace(/\*(?!\s)(.+?)\*/g, '<em>$1</em>');
  // _italics_ only between word boundaries, so TAYL_LO#04 and snake_case stay as they are.
  s = s.replace(/(^|[^\w])_(?!\s)([^_]+?)_(?=[^\w]|$)/g, '$1<em>$2</em>');
  s = s.replace(/~~(.+?)~~/g, '<s>$1</s>');
  s = s.replace(/\|\|(.+?)\|\|/g, '<span class="spoiler">$1</span>');
  return s;
}

function restore(s, keep) {
  // A parked piece may hold markers of its own (a link label with code): loop until none is left.
  for (let i = 0; i < 4 && s.includes('\u0000'); i++)
    s = s.replace(/\u0000(\d+)\u0000/g, (_, n) => keep[Number(n)]);
  return s;
}

// Discord markdown in text -> HTML.  ctx.players: Map of user id -> display name.
export function renderMarkdown(text, ctx = {}) {
  if (text == null || text === '') return '';
  const keep = [];
  let src = escapeHtml(String(text));
  // Code blocks first: nothing inside them is markup.
  src = src.replace(/```(?:([\w+-]{1,20})\n)?([\s\S]*?)```/g, (_, lang, body) => {
    keep.push('<pre class="md-codeblock"><code>' + body.replace(/^\n/, '') + '</code></pre>');
    return '\n\u0000' + (keep.length - 1) + '\u0000\n';
  });
  const lines = src.split('\n');
  const out = [];
  let list = null;
  let quote = null;
  let para = [];
  const flushPara = () => {
    while (para.length && para[para.length - 1] === '') para.pop();
    if (para.length) out.push('<div class="md-p">' + para.join('<br>') + '</div>');
    para = [];
  };
  const flushList = () => {
    if (list) out.push('<ul class="md-list">' + list.map((li) => '<li>' + li + '</li>').join('') + '</ul>');
    list = null;
  };
  const flushQuote = () => {
    if (quote) out.push('<blockquote class="md-quote">' + quote.join('<br>') + '</blockquote>');
    quote = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let m;
    if (/^\u0000\d+\u0000$/.test(line)) {
      flushPara(); flushList(); flushQuote();
      out.push(line);
    } else if ((m = /^&gt;&gt;&gt; (.*)$/.exec(line))) {
      // ">>> " quotes the rest of the message.
      flushPara(); flushList();
      quote = quote || [];
      quote.push(inline(m[1], ctx, keep));
      for (i++; i < lines.length; i++) quote.push(inline(lines[i], ctx, keep));
      flushQuote();
    } else if ((m = /^&gt; (.*)$/.exec(line)) || line === '&gt;') {
      flushPara(); flushList();
      quote = quote || [];
      quote.push(m ? inline(m[1], ctx, keep) : '');
    } else if ((m = /^(#{1,3}) (.+)$/.exec(line))) {
      flushPara(); flushList(); flushQuote();
      const level = m[1].length;
      out.push('<h' + level + ' class="md-h' + level + '">' + inline(m[2], ctx, keep) + '</h' + level + '>');
    } else if ((m = /^\s*[-*] (.+)$/.exec(line))) {
      flushPara(); flushQuote();
      list = list || [];
      list.push(inline(m[1], ctx, keep));
    } else {
      flushList(); flushQuote();
      if (line === '' && para.length === 0) continue;
      para.push(inline(line, ctx, keep));
    }
  }
  flushPara(); flushList(); flushQuote();
  return restore(out.join(''), keep);
}
