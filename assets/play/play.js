// play.js - the playground page: a Discord-like channel where one plays PopDeck as one of the
// playground's players.  Actions go to /play/api/interact (which signs them and sends them
// through the server's real /interactions); what Discord would show everyone (responses,
// follow-ups, edits, DMs) comes from the development double's feed, read by long-polling.
// The page applies both with Discord's semantics: one message per interaction token, edits in
// place, ephemeral messages only to their player.
import { renderMarkdown, updateRelativeTimes } from './markdown.js';

const EPHEMERAL = 1 << 6;
const FEED_WAIT_MS = 25000;
const AUTOCOMPLETE_DEBOUNCE_MS = 150;
const PACK_BACKS = 'attachment://pack.png';
// A deferred reply shows "PopDeck is thinking…" at least this long, so that a follow-up that
// comes within a few milliseconds does not make it flash by unseen.
const THINKING_MIN_MS = 400;
// Discord's eye before "Only you can see this" (drawn here: no emoji font is needed).
const EYE_SVG = '<svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" ' +
  'd="M12 5C5.6 5 2 12 2 12s3.6 7 10 7 10-7 10-7-3.6-7-10-7Zm0 11.5A4.5 4.5 0 1 1 12 7.5a4.5 4.5 0 0 1 0 9Zm0-7a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5Z"/></svg>';

const state = {
  cfg: null,
  players: new Map(), // id -> player of /play/api/config
  names: new Map(), // id -> display name, for mentions
  me: null,
  pane: 'channel',
  messages: new Map(), // message id -> message (below)
  interactions: new Map(), // token -> interaction as the feed records it
  waiting: new Map(), // token -> feed records that came before their interaction
  unread: new Map(), // player id -> DMs not seen yet
  stick: { channel: true, dm: true }, // the list follows new messages while scrolled down
};

// ---------------------------------------------------------------- small DOM helpers

function h(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}
const $ = (sel, root = document) => root.querySelector(sel);
const mdctx = () => ({ players: state.names, channels: new Map([[state.cfg.channel_id, 'popdeck']]) });
const playerName = (id) => state.names.get(id) || 'Player ' + String(id).slice(-4);
const safeUrl = (u) => (typeof u === 'string' && /^https?:\/\//i.test(u) ? u : null);

function listOf(pane) {
  return pane === 'dm' ? $('#dm-messages') : $('#messages');
}

function keepDown(pane) {
  const list = listOf(pane);
  if (state.stick[pane]) list.scrollTop = list.scrollHeight;
}

// A red line in the pane the player looks at: a failure is never silent.
function systemLine(text) {
  const line = h('div', 'system-line error');
  line.setAttribute('role', 'alert');
  line.append(h('span', 'system-icon', '!'), h('span', 'system-text', text));
  listOf(state.pane).append(line);
  keepDown(state.pane);
}

// ---------------------------------------------------------------- messages

// A message: {id, pane, viewer (null: everyone), ephemeral, data, files, shown (files shown as
// attachments), header, at, thinking, flipped, dismissed, el}.
function visible(m) {
  return !m.dismissed && (m.viewer == null || m.viewer === state.me);
}

function refilter() {
  for (const m of state.messages.values()) m.el.hidden = !visible(m);
  updateUnread();
  for (const pane of ['channel', 'dm']) keepDown(pane);
}

function createMessage(m) {
  if (state.messages.has(m.id)) return state.messages.get(m.id);
  m.el = h('div', 'message');
  m.el.dataset.id = m.id;
  state.messages.set(m.id, m);
  listOf(m.pane).append(m.el);
  render(m);
  m.el.hidden = !visible(m);
  if (m.pane === 'dm' && m.viewer && !(state.pane === 'dm' && state.me === m.viewer)) {
    state.unread.set(m.viewer, (state.unread.get(m.viewer) || 0) + 1);
    updateUnread();
  }
  keepDown(m.pane);
  return m;
}

function fileUrl(f) {
  return f && f.url ? state.cfg.feed + f.url : null;
}

// An embed's image URL: attachment://NAME from the message's files, http(s) as is.
function imageUrl(m, url) {
  if (typeof url !== 'string') return null;
  if (url.startsWith('attachment://')) {
    const name = url.slice('attachment://'.length);
    const f = (m.files || []).find((x) => x.filename === name);
    return fileUrl(f);
  }
  return safeUrl(url);
}

function hasBacks(data) {
  return (data.embeds || []).some((e) => e && e.image && e.image.url === PACK_BACKS);
}

function editMessage(id, payload, files) {
  const m = state.messages.get(id);
  if (!m) return;
  const wait = (m.holdUntil || 0) - Date.now();
  if (wait > 0) {
    // Edits wait their turn, in order, until the thinking state has been seen.
    (m.held = m.held || []).push([payload, files]);
    if (!m.holdTimer)
      m.holdTimer = setTimeout(() => {
        m.holdUntil = 0;
        m.holdTimer = null;
        const held = m.held;
        m.held = [];
        for (const [p, f] of held) editMessage(id, p, f);
      }, wait);
    return;
  }
  const backs = hasBacks(m.data) ? imageUrl(m, PACK_BACKS) : null;
  // As Discord: the fields an edit gives replace the message's, the others stay.
  m.data = Object.assign({}, m.data, payload || {});
  if (files && files.length) {
    m.files = files;
    m.shown = files;
  } else {
    m.shown = [];
  }
  m.thinking = false;
  render(m);
  const first = (m.data.embeds || [])[0];
  if (backs && first && first.image && first.image.url !== PACK_BACKS && imageUrl(m, first.image.url))
    flip(m, backs);
}

function removeMessage(id) {
  const m = state.messages.get(id);
  if (!m) return;
  m.el.remove();
  state.messages.delete(id);
}

// The pack's backs turn over into the kept card: a 3D turn of the embed's image.
function flip(m, backSrc) {
  const box = $('.embed-image', m.el);
  const front = box && $('img', box);
  if (!front) return;
  const card = h('div', 'flip-card flipping');
  const back = h('div', 'flip-face flip-back');
  const img = h('img');
  img.src = backSrc;
  img.alt = 'card backs';
  back.append(img);
  const face = h('div', 'flip-face flip-front');
  front.replaceWith(card);
  face.append(front);
  card.append(back, face);
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    // Turned over, the card is a plain image again (a 3D layer left in place can be drawn
    // out of place once the list scrolls).
    card.replaceWith(front);
    m.flipped = true;
    m.el.classList.add('flipped');
  };
  card.addEventListener('animationend', finish, { once: true });
  // A tab in the background may never run the animation: the flip still ends.
  setTimeout(finish, 1500);
}

function timeLabel(ms) {
  const d = new Date(ms);
  const t = d.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
  return new Date().toDateString() === d.toDateString() ? 'Today at ' + t : d.toLocaleDateString() + ' ' + t;
}

function render(m) {
  const el = m.el;
  el.className = 'message' + (m.ephemeral ? ' ephemeral' : '') + (m.flipped ? ' flipped' : '') +
    (m.thinking ? ' is-thinking' : '');
  el.replaceChildren();
  if (m.header) {
    const hd = h('div', 'interaction-header');
    hd.append(h('span', 'interaction-user', m.header.user), document.createTextNode(' used '),
      h('span', 'interaction-command', m.header.command));
    el.append(hd);
  }
  const avatar = h('div', 'avatar', 'PD');
  avatar.setAttribute('aria-hidden', 'true');
  const body = h('div', 'message-body');
  const meta = h('div', 'message-meta');
  meta.append(h('span', 'author', 'PopDeck'), h('span', 'app-tag', 'APP'),
    h('span', 'message-time', timeLabel(m.at || Date.now())));
  body.append(meta);
  if (m.thinking) {
    const t = h('div', 'thinking');
    const dots = h('span', 'thinking-dots');
    dots.append(h('i'), h('i'), h('i'));
    t.append(dots, document.createTextNode('PopDeck is thinking…'));
    body.append(t);
  } else {
    const d = m.data || {};
    if (d.content) {
      const c = h('div', 'content');
      c.innerHTML = renderMarkdown(d.content, mdctx());
      body.append(c);
    }
    for (const e of d.embeds || []) body.append(renderEmbed(m, e));
    const used = new Set((d.embeds || []).flatMap((e) => [e.image && e.image.url, e.thumbnail && e.thumbnail.url]));
    const extra = (m.shown || []).filter((f) => f.png && !used.has('attachment://' + f.filename));
    if (extra.length) {
      const box = h('div', 'attachments');
      for (const f of extra) {
        const img = h('img', 'attachment-image');
        img.src = fileUrl(f);
        img.alt = f.filename;
        img.addEventListener('load', () => keepDown(m.pane));
        box.append(img);
      }
      body.append(box);
    }
    if (d.components && d.components.length) body.append(renderComponents(m, d.components));
  }
  if (m.ephemeral) {
    const note = h('div', 'ephemeral-note');
    const dismiss = h('a', 'dismiss', 'Dismiss message');
    dismiss.href = '#';
    dismiss.addEventListener('click', (ev) => {
      ev.preventDefault();
      m.dismissed = true;
      el.hidden = true;
    });
    const eye = h('span', 'eye');
    eye.innerHTML = EYE_SVG;
    note.append(eye, document.createTextNode('Only you can see this ·'), dismiss);
    body.append(note);
  }
  el.append(avatar, body);
}

function colorOf(n) {
  return typeof n === 'number' ? '#' + n.toString(16).padStart(6, '0') : '#1e1f22';
}

// An embed's image or thumbnail: a box of class cls holding the picture.
function embedImage(cls, src, alt) {
  const t = h('div', cls);
  const img = h('img');
  img.src = src;
  img.alt = alt;
  t.append(img);
  return t;
}

function renderEmbed(m, e) {
  const box = h('div', 'embed');
  box.style.borderLeftColor = colorOf(e.color);
  const grid = h('div', 'embed-grid');
  const main = h('div', 'embed-main');
  if (e.author && e.author.name) {
    const a = h('div', 'embed-author');
    const icon = imageUrl(m, e.author.icon_url);
    if (icon) {
      const i = h('img', 'embed-author-icon');
      i.src = icon;
      i.alt = '';
      a.append(i);
    }
    const url = safeUrl(e.author.url);
    const name = h(url ? 'a' : 'span', 'embed-author-name', e.author.name);
    if (url) Object.assign(name, { href: url, target: '_blank', rel: 'noopener noreferrer' });
    a.append(name);
    main.append(a);
  }
  if (e.title) {
    const t = h('div', 'embed-title');
    const url = safeUrl(e.url);
    if (url) {
      const a = h('a');
      Object.assign(a, { href: url, target: '_blank', rel: 'noopener noreferrer' });
      a.innerHTML = renderMarkdown(e.title, mdctx());
      t.append(a);
    } else {
      t.innerHTML = renderMarkdown(e.title, mdctx());
    }
    main.append(t);
  }
  if (e.description) {
    const d = h('div', 'embed-description');
    d.innerHTML = renderMarkdown(e.description, mdctx());
    main.append(d);
  }
  if (e.fields && e.fields.length) {
    const fields = h('div', 'embed-fields');
    for (const f of e.fields) {
      const fe = h('div', 'embed-field' + (f.inline ? ' inline' : ''));
      const n = h('div', 'embed-field-name');
      n.innerHTML = renderMarkdown(f.name, mdctx());
      const v = h('div', 'embed-field-value');
      v.innerHTML = renderMarkdown(f.value, mdctx());
      fe.append(n, v);
      fields.append(fe);
    }
    main.append(fields);
  }
  grid.append(main);
  const thumb = e.thumbnail && imageUrl(m, e.thumbnail.url);
  if (thumb) grid.append(embedImage('embed-thumbnail', thumb, ''));
  box.append(grid);
  const image = e.image && imageUrl(m, e.image.url);
  if (image) {
    const t = embedImage('embed-image', image, e.title || 'image');
    t.firstChild.addEventListener('load', () => keepDown(m.pane));
    box.append(t);
  }
  if ((e.footer && e.footer.text) || e.timestamp) {
    const f = h('div', 'embed-footer');
    const icon = e.footer && imageUrl(m, e.footer.icon_url);
    if (icon) {
      const i = h('img', 'embed-footer-icon');
      i.src = icon;
      i.alt = '';
      f.append(i);
    }
    const parts = [];
    if (e.footer && e.footer.text) parts.push(e.footer.text);
    if (e.timestamp) {
      const d = new Date(e.timestamp);
      if (!Number.isNaN(d.getTime())) parts.push(d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }));
    }
    f.append(h('span', 'embed-footer-text', parts.join(' • ')));
    box.append(f);
  }
  return box;
}

// The message as Discord sends it along with a component press.
function messageOf(m) {
  const d = m.data || {};
  return {
    id: m.id,
    content: d.content || '',
    embeds: d.embeds || [],
    components: d.components || [],
    flags: m.ephemeral ? EPHEMERAL : 0,
  };
}

function emojiText(emoji) {
  if (!emoji) return '';
  return emoji.id ? ':' + (emoji.name || 'emoji') + ':' : emoji.name || '';
}

function renderComponents(m, rows) {
  const box = h('div', 'components');
  for (const row of rows) {
    if (!row || row.type !== 1) continue;
    const r = h('div', 'component-row');
    for (const c of row.components || []) {
      if (c.type === 2) r.append(renderButton(m, c));
      else if (c.type === 3) r.append(renderSelect(m, c));
    }
    box.append(r);
  }
  return box;
}

function renderButton(m, c) {
  const style = [1, 2, 3, 4, 5].includes(c.style) ? c.style : 2;
  const url = style === 5 ? safeUrl(c.url) : null;
  const b = h(style === 5 ? 'a' : 'button', 'component-button style-' + style);
  if (c.emoji) b.append(h('span', 'button-emoji', emojiText(c.emoji)));
  if (c.label) b.append(h('span', 'button-label', c.label));
  if (style === 5) {
    b.append(h('span', 'button-link-icon', '↗'));
    if (url && !c.disabled) Object.assign(b, { href: url, target: '_blank', rel: 'noopener noreferrer' });
    if (c.disabled) {
      b.classList.add('disabled');
      b.setAttribute('aria-disabled', 'true');
    }
    return b;
  }
  b.type = 'button';
  b.disabled = !!c.disabled;
  b.dataset.customId = c.custom_id || '';
  b.addEventListener('click', () => press(m, c, b));
  return b;
}

async function press(m, c, b) {
  b.classList.add('loading');
  b.disabled = true;
  const j = await interact(
    { type: 3, custom_id: c.custom_id, component_type: 2, message: messageOf(m), dm: m.pane === 'dm' },
    { message_id: m.id });
  // Type 6 keeps the spinner until the edit re-renders the message.
  if (!j || !j.response || j.response.type !== 6) {
    b.classList.remove('loading');
    b.disabled = !!c.disabled;
  }
}

function renderSelect(m, c) {
  const box = h('div', 'component-select' + (c.disabled ? ' disabled' : ''));
  const min = c.min_values ?? 1;
  const max = c.max_values ?? 1;
  const chosen = new Set((c.options || []).filter((o) => o.default).map((o) => o.value));
  const toggle = h('button', 'select-toggle');
  toggle.type = 'button';
  toggle.disabled = !!c.disabled;
  const label = h('span', 'select-label');
  const showLabel = () => {
    const names = (c.options || []).filter((o) => chosen.has(o.value)).map((o) => o.label);
    label.textContent = names.length ? names.join(', ') : c.placeholder || 'Make a selection';
    label.classList.toggle('placeholder', names.length === 0);
  };
  showLabel();
  toggle.append(label, h('span', 'select-chevron', '⌄'));
  const menu = h('div', 'select-menu');
  menu.hidden = true;
  const send = async (values) => {
    menu.hidden = true;
    box.classList.add('loading');
    const j = await interact(
      { type: 3, custom_id: c.custom_id, component_type: 3, values, message: messageOf(m), dm: m.pane === 'dm' },
      { message_id: m.id });
    if (!j || !j.response || j.response.type !== 6) box.classList.remove('loading');
  };
  for (const o of c.options || []) {
    const item = h('div', 'select-option');
    item.setAttribute('role', 'option');
    if (max > 1) item.append(h('span', 'select-check'));
    if (o.emoji) item.append(h('span', 'select-emoji', emojiText(o.emoji)));
    const text = h('div', 'select-text');
    text.append(h('div', 'select-option-label', o.label));
    if (o.description) text.append(h('div', 'select-option-description', o.description));
    item.append(text);
    item.classList.toggle('chosen', chosen.has(o.value));
    item.addEventListener('click', () => {
      if (max <= 1) {
        chosen.clear();
        chosen.add(o.value);
        showLabel();
        send([o.value]);
        return;
      }
      if (chosen.has(o.value)) chosen.delete(o.value);
      else if (chosen.size < max) chosen.add(o.value);
      item.classList.toggle('chosen', chosen.has(o.value));
      showLabel();
    });
    menu.append(item);
  }
  if (max > 1) {
    const done = h('button', 'select-done', 'Choose');
    done.type = 'button';
    done.addEventListener('click', () => {
      if (chosen.size < min || chosen.size > max) {
        systemLine(`Choose from ${min} to ${max} options.`);
        return;
      }
      send([...chosen]);
    });
    menu.append(done);
  }
  toggle.addEventListener('click', () => {
    menu.hidden = !menu.hidden;
  });
  box.append(toggle, menu);
  return box;
}

// ---------------------------------------------------------------- modals (response type 9)

function openModal(data, fromMessage) {
  const dlg = $('#modal');
  dlg.replaceChildren();
  const form = h('form', 'modal-form');
  form.append(h('h2', 'modal-title', data.title || 'PopDeck'));
  const inputs = [];
  for (const row of data.components || []) {
    for (const c of (row && row.components) || []) {
      if (c.type !== 4) continue;
      const wrap = h('label', 'modal-field');
      const required = c.required !== false; // Discord's default
      const lab = h('span', 'modal-label', c.label || c.custom_id);
      if (required) lab.append(h('span', 'modal-required', ' *'));
      const input = h(c.style === 2 ? 'textarea' : 'input', 'modal-input');
      if (c.style !== 2) input.type = 'text';
      input.required = required;
      if (c.min_length != null) input.minLength = c.min_length;
      if (c.max_length != null) input.maxLength = c.max_length;
      if (c.placeholder) input.placeholder = c.placeholder;
      if (c.value != null) input.value = c.value;
      input.dataset.customId = c.custom_id;
      wrap.append(lab, input);
      form.append(wrap);
      inputs.push(input);
    }
  }
  const buttons = h('div', 'modal-buttons');
  const cancel = h('button', 'modal-cancel', 'Cancel');
  cancel.type = 'button';
  cancel.addEventListener('click', () => dlg.close());
  const submit = h('button', 'modal-submit', 'Submit');
  submit.type = 'submit';
  buttons.append(cancel, submit);
  form.append(buttons);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    dlg.close();
    const components = inputs.map((i) => ({
      type: 1,
      components: [{ type: 4, custom_id: i.dataset.customId, value: i.value }],
    }));
    const body = { type: 5, custom_id: data.custom_id, components, dm: state.pane === 'dm' };
    if (fromMessage) body.message = messageOf(fromMessage);
    await interact(body, { message_id: fromMessage ? fromMessage.id : undefined });
  });
  dlg.append(form);
  dlg.showModal();
  if (inputs[0]) inputs[0].focus();
}

// ---------------------------------------------------------------- interactions

// The message an interaction's @original is: a component's own message when the answer
// updated it (6, 7), else the message the interaction made.
function originalOf(ix) {
  const t = ix.response && ix.response.type;
  return ix.type === 3 && t !== 4 && t !== 5 ? ix.message_id : ix.id;
}

function applyInteraction(ix, own) {
  const known = state.interactions.get(ix.token);
  if (known) {
    if (!known.message_id && ix.message_id) known.message_id = ix.message_id;
    return;
  }
  state.interactions.set(ix.token, ix);
  const r = ix.response;
  if (ix.status === 200 && r && typeof r === 'object') {
    const data = r.data || {};
    const ephemeral = ((data.flags | 0) & EPHEMERAL) !== 0;
    const pane = ix.dm ? 'dm' : 'channel';
    const base = {
      id: ix.id,
      pane,
      viewer: ephemeral || ix.dm ? ix.user.id : null,
      ephemeral,
      files: [],
      shown: [],
      at: ix.at || Date.now(),
      header: ix.type === 2 && ix.command ? { user: ix.user.name || playerName(ix.user.id), command: ix.command } : null,
    };
    if (r.type === 4) createMessage(Object.assign(base, { data }));
    else if (r.type === 5) {
      // Only a live interaction waits; one read back from the history shows its end at once.
      const live = Math.abs(Date.now() - base.at) < 10000;
      createMessage(Object.assign(base, { data: {}, thinking: true, holdUntil: live ? Date.now() + THINKING_MIN_MS : 0 }));
    }
    else if (r.type === 7 && ix.message_id) editMessage(ix.message_id, data, null);
    else if (r.type === 9 && own) openModal(data, ix.message_id ? state.messages.get(ix.message_id) : null);
  }
  const later = state.waiting.get(ix.token);
  if (later) {
    state.waiting.delete(ix.token);
    for (const rec of later) applyWebhook(ix, rec);
  }
}

// What Discord did with a request of the bot: a follow-up, an edit, a DM.
function applyRecord(rec) {
  if (rec.method === 'INTERACTION') {
    const j = rec.json;
    if (j && j.token && j.user) applyInteraction(Object.assign({ at: rec.received_at_ms }, j), false);
    return;
  }
  if (!(rec.status >= 200 && rec.status < 300)) return; // refused: nothing changed
  const path = rec.path || '';
  let m = /^\/api\/v\d+\/webhooks\/\d+\/([A-Za-z0-9_-]+)(\/messages\/[^/?]+)?$/.exec(path);
  if (m) {
    const ix = state.interactions.get(m[1]);
    if (!ix) {
      // The worker's follow-up can reach the double before the playground tells it of the
      // interaction: the record waits for its interaction.
      const list = state.waiting.get(m[1]) || [];
      list.push(rec);
      state.waiting.set(m[1], list);
      return;
    }
    applyWebhook(ix, rec);
    return;
  }
  m = /^\/api\/v\d+\/channels\/9(\d+)\/messages$/.exec(path);
  if (m && rec.method === 'POST') {
    const payload = rec.json || {};
    createMessage({
      id: rec.message_id || 'dm-' + rec.seq,
      pane: 'dm',
      viewer: m[1],
      ephemeral: false,
      data: payload,
      files: rec.files || [],
      shown: rec.files || [],
      at: rec.received_at_ms,
    });
  }
}

function applyWebhook(ix, rec) {
  const m = /\/messages\/([^/?]+)$/.exec(rec.path);
  const target = m ? m[1] : null;
  const payload = rec.json || {};
  if (rec.method === 'POST' && !target) {
    const ephemeral = ((payload.flags | 0) & EPHEMERAL) !== 0;
    createMessage({
      id: rec.message_id || 'followup-' + rec.seq,
      pane: ix.dm ? 'dm' : 'channel',
      viewer: ephemeral || ix.dm ? ix.user.id : null,
      ephemeral,
      data: payload,
      files: rec.files || [],
      shown: rec.files || [],
      at: rec.received_at_ms,
    });
  } else if (rec.method === 'PATCH' && target) {
    const id = target === '@original' ? originalOf(ix) : target;
    if (id) editMessage(id, payload, rec.files || []);
  } else if (rec.method === 'DELETE' && target) {
    removeMessage(target === '@original' ? originalOf(ix) : target);
  }
}

function refOf(response) {
  if (!response || typeof response !== 'object') return '';
  const parts = [];
  if (response.error) parts.push(String(response.error));
  if (response.ref) parts.push('ref ' + response.ref);
  if (response.message) parts.push(String(response.message));
  return parts.length ? ' · ' + parts.join(' · ') : '';
}

// Sends one action of the current player; applies the answer (the feed may bring the same
// interaction before or after: each token applies once).  Returns the answer or null.
async function interact(body, extra = {}) {
  const me = state.me;
  const req = Object.assign({ player: me, dm: false }, body);
  let res;
  let j = null;
  try {
    res = await fetch('/play/api/interact', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(req),
    });
  } catch (e) {
    systemLine(`The playground could not be reached: ${e.message}`);
    return null;
  }
  try {
    j = await res.json();
  } catch {
    j = null;
  }
  if (!res.ok || !j || !j.interaction) {
    systemLine(`The playground refused the action: HTTP ${res.status}${j && j.error ? ' · ' + j.error : ''}`);
    return null;
  }
  if (req.type === 4) return j;
  const ix = {
    id: j.interaction.id,
    token: j.interaction.token,
    type: req.type,
    user: { id: me, name: playerName(me) },
    dm: !!req.dm,
    command: extra.command,
    custom_id: req.custom_id,
    message_id: extra.message_id,
    response: j.response,
    status: j.status,
    at: Date.now(),
  };
  if (j.status !== 200 || !j.response) {
    systemLine(`PopDeck did not answer: /interactions said HTTP ${j.status}${refOf(j.response)}`);
  }
  applyInteraction(ix, true);
  return j;
}

// ---------------------------------------------------------------- the feed

async function readFeed() {
  let since = 0;
  let backoff = 500;
  for (;;) {
    try {
      const res = await fetch(`${state.cfg.feed}/_requests?since=${since}&wait_ms=${FEED_WAIT_MS}`);
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const records = await res.json();
      records.sort((a, b) => a.seq - b.seq);
      for (const rec of records) {
        if (rec.seq < since) continue;
        since = rec.seq + 1;
        try {
          applyRecord(rec);
        } catch (e) {
          console.error('feed record', rec.seq, e);
        }
      }
      setFeedStatus(true);
      backoff = 500;
    } catch (e) {
      setFeedStatus(false, e.message);
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 5000);
    }
  }
}

function setFeedStatus(ok, why) {
  const s = $('#feed-status');
  s.hidden = ok;
  if (!ok) s.textContent = `Reconnecting to the Discord double… (${why})`;
}

// ---------------------------------------------------------------- the composer

const composer = {
  input: null,
  ac: null,
  items: [], // {label, desc, apply()}
  active: -1,
  explicit: false, // the player moved through the list with the arrow keys
  acSeq: 0,
  acTimer: null,
  acChoices: null, // the last autocomplete answer: {key, choices}
  listFor: null, // the option whose autocomplete answer the list shows ("viewcard  card")
};

function commands() {
  return state.cfg.commands || [];
}

const isSub = (o) => o.type === 1 || o.type === 2;

// Reads the composer's line: the command, its sub-command path, the options given so far and
// what the caret is on (current) for the suggestion list.
function parseLine(text) {
  const out = { cmd: null, path: [], defs: [], pairs: [], current: null, error: null, stray: '' };
  const m = /^\/(\S*)/.exec(text);
  if (!m) return out;
  const name = m[1];
  let pos = m[0].length;
  if (pos === text.length) {
    out.current = { kind: 'command', partial: name, start: 1, end: pos };
    return out;
  }
  out.cmd = commands().find((c) => c.name === name) || null;
  if (!out.cmd) {
    out.error = `/${name} is not a PopDeck command`;
    return out;
  }
  let defs = out.cmd.options || [];
  while (defs.some(isSub)) {
    while (text[pos] === ' ') pos++;
    const w = /^\S*/.exec(text.slice(pos))[0];
    const end = pos + w.length;
    if (end === text.length) {
      out.current = { kind: 'sub', partial: w, defs, start: pos, end };
      out.defs = [];
      return out;
    }
    const d = defs.find((o) => isSub(o) && o.name === w);
    if (!d) {
      out.error = `/${out.path.length ? out.cmd.name + ' ' + out.path.join(' ') : out.cmd.name} has no sub-command "${w}"`;
      return out;
    }
    out.path.push(d.name);
    defs = d.options || [];
    pos = end;
    if (d.type === 1) break;
  }
  out.defs = defs.filter((o) => !isSub(o));
  const rest = text.slice(pos);
  // name:value pairs; a value runs to the next " name:" of this command's options.
  const names = out.defs.map((o) => o.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = names.length ? new RegExp(`(^|\\s)(${names.join('|')}):`, 'g') : null;
  const marks = [];
  let mm;
  while (re && (mm = re.exec(rest))) marks.push({ name: mm[2], at: mm.index + mm[1].length, vstart: mm.index + mm[0].length });
  out.stray = (marks.length ? rest.slice(0, marks[0].at) : rest).trim();
  for (let i = 0; i < marks.length; i++) {
    const vend = i + 1 < marks.length ? marks[i + 1].at : rest.length;
    const raw = rest.slice(marks[i].vstart, vend);
    out.pairs.push({
      def: out.defs.find((o) => o.name === marks[i].name),
      value: raw.trim(),
      start: pos + marks[i].vstart,
      end: pos + marks[i].vstart + raw.replace(/\s+$/, '').length,
    });
  }
  const given = new Set(out.pairs.map((p) => p.def.name));
  const remaining = out.defs.filter((o) => !given.has(o.name));
  const last = out.pairs[out.pairs.length - 1];
  const tail = /(\S*)$/.exec(text)[1];
  const tailStart = text.length - tail.length;
  const endsInSpace = /\s$/.test(text);
  if (!last) {
    out.current = { kind: 'optname', partial: out.stray.includes(' ') ? tail : out.stray, start: endsInSpace ? text.length : tailStart, end: text.length, remaining };
  } else if (last.value === '' || (!endsInSpace && !remaining.some((o) => tail && o.name.startsWith(tail) && tailStart > last.start))) {
    out.current = { kind: 'value', def: last.def, partial: last.value, start: last.start, end: text.length, pair: last };
  } else if (endsInSpace && remaining.length === 0) {
    out.current = { kind: 'value', def: last.def, partial: last.value, start: last.start, end: text.length, pair: last };
  } else {
    out.current = { kind: 'optname', partial: endsInSpace ? '' : tail, start: endsInSpace ? text.length : tailStart, end: text.length, remaining };
  }
  return out;
}

function replaceRange(start, end, text) {
  const v = composer.input.value;
  composer.input.value = v.slice(0, start) + text + v.slice(end);
  const caret = start + text.length;
  composer.input.setSelectionRange(caret, caret);
  composer.input.focus();
  onComposerInput();
}

function firstRequired(defs) {
  const d = (defs || []).find((o) => !isSub(o) && o.required);
  return d ? d.name + ':' : '';
}

function showList(title, items) {
  composer.items = items;
  composer.active = items.length ? 0 : -1;
  composer.explicit = false;
  composer.listFor = null;
  const ac = composer.ac;
  ac.replaceChildren();
  if (!title && !items.length) {
    ac.hidden = true;
    return;
  }
  if (title) ac.append(h('div', 'ac-header', title));
  items.forEach((it, i) => {
    if (it.hint) {
      ac.append(h('div', 'ac-hint', it.label));
      return;
    }
    const row = h('div', 'ac-item' + (i === 0 ? ' active' : ''));
    row.setAttribute('role', 'option');
    row.append(h('span', 'ac-name', it.label));
    if (it.badges) for (const b of it.badges) row.append(h('span', 'badge badge-' + b.toLowerCase(), b));
    if (it.desc) row.append(h('span', 'ac-desc', it.desc));
    row.addEventListener('mousedown', (ev) => {
      ev.preventDefault(); // keep the composer focused
      it.apply();
    });
    ac.append(row);
  });
  ac.hidden = false;
}

function hideList() {
  composer.listFor = null;
  composer.items = [];
  composer.active = -1;
  composer.ac.hidden = true;
}

function moveActive(delta) {
  const rows = [...composer.ac.querySelectorAll('.ac-item')];
  if (!rows.length) return;
  const real = composer.items.filter((it) => !it.hint);
  composer.active = (composer.active + delta + real.length) % real.length;
  composer.explicit = true;
  rows.forEach((r, i) => r.classList.toggle('active', i === composer.active));
  rows[composer.active].scrollIntoView({ block: 'nearest' });
}

function pickActive() {
  const real = composer.items.filter((it) => !it.hint);
  const it = real[composer.active >= 0 ? composer.active : 0];
  if (it) it.apply();
  return !!it;
}

function typeName(t) {
  return { 3: 'text', 4: 'whole number', 5: 'true or false', 6: 'player', 7: 'channel', 8: 'role', 9: 'player or role', 10: 'number', 11: 'file' }[t] || 'value';
}

function optionDesc(o) {
  return (o.required ? 'required · ' : '') + (o.description || typeName(o.type));
}

// The chips above the composer: the options of the command being written.
function renderChips(p) {
  const chips = $('#chips');
  chips.replaceChildren();
  if (!p.cmd) {
    chips.hidden = true;
    return;
  }
  chips.hidden = false;
  chips.append(h('span', 'chip chip-command', '/' + [p.cmd.name, ...p.path].join(' ')));
  const given = new Map(p.pairs.map((x) => [x.def.name, x.value]));
  const defs = p.current && p.current.kind === 'sub' ? p.current.defs : p.defs;
  for (const o of defs) {
    const chip = h('button', 'chip option-chip' + (o.required ? ' required' : '') + (given.get(o.name) ? ' filled' : ''));
    chip.type = 'button';
    chip.dataset.name = o.name;
    chip.title = o.description || '';
    chip.append(h('span', 'chip-name', o.name));
    if (given.has(o.name)) chip.append(h('span', 'chip-value', given.get(o.name) || '…'));
    if (p.current && p.current.def === o) chip.classList.add('current');
    chip.addEventListener('mousedown', (ev) => {
      ev.preventDefault();
      const v = composer.input.value;
      if (isSub(o)) {
        const c = p.current;
        replaceRange(c.start, c.end, o.name + ' ' + firstRequired(o.options));
      } else if (!given.has(o.name)) {
        replaceRange(v.length, v.length, (/\s$/.test(v) ? '' : ' ') + o.name + ':');
      }
    });
    chips.append(chip);
  }
}

function valueItems(p) {
  const c = p.current;
  const d = c.def;
  const put = (v) => () => replaceRange(c.start, c.end, v + ' ');
  const partial = c.partial.toLowerCase();
  if (d.choices) {
    return d.choices
      .filter((x) => !partial || x.name.toLowerCase().includes(partial) || String(x.value).toLowerCase().includes(partial))
      .map((x) => ({ label: x.name, desc: String(x.value) !== x.name ? String(x.value) : '', apply: put(String(x.value)), value: String(x.value) }));
  }
  if (d.type === 6) {
    return [...state.players.values()]
      .filter((x) => !partial || ('@' + x.name).toLowerCase().includes(partial) || x.id.includes(partial))
      .map((x) => ({ label: x.name, desc: '@' + x.username, badges: badgesOf(x), apply: put('@' + x.name), value: '@' + x.name }));
  }
  if (d.type === 5) {
    return ['true', 'false'].filter((x) => x.startsWith(partial)).map((x) => ({ label: x, apply: put(x), value: x }));
  }
  const limits = [];
  if (d.min_value != null) limits.push('at least ' + d.min_value);
  if (d.max_value != null) limits.push('at most ' + d.max_value);
  if (d.min_length != null) limits.push('at least ' + d.min_length + ' characters');
  if (d.max_length != null) limits.push('at most ' + d.max_length + ' characters');
  return [{ hint: true, label: `${d.name}: ${d.description || ''} (${typeName(d.type)}${limits.length ? ', ' + limits.join(', ') : ''})` }];
}

function badgesOf(p) {
  const b = [];
  if (p.admin) b.push('Admin');
  if (p.booster) b.push('Booster');
  return b;
}

function onComposerInput() {
  const text = composer.input.value;
  const err = $('#composer-error');
  err.textContent = '';
  cancelAutocomplete(); // a pending question is about the line as it was; askAutocomplete asks anew
  if (!text.startsWith('/')) {
    renderChips({ cmd: null });
    hideList();
    return;
  }
  const p = parseLine(text);
  renderChips(p);
  if (p.error && !p.current) {
    showList(null, [{ hint: true, label: p.error }]);
    return;
  }
  const c = p.current;
  if (!c) {
    hideList();
    return;
  }
  if (c.kind === 'command') {
    const q = c.partial.toLowerCase();
    const starts = commands().filter((x) => x.name.startsWith(q));
    const inside = commands().filter((x) => !x.name.startsWith(q) && x.name.includes(q));
    showList('Commands', [...starts, ...inside].map((x) => ({
      label: '/' + x.name,
      desc: x.description,
      name: x.name,
      apply: () => replaceRange(0, text.length, '/' + x.name + ' ' + ((x.options || []).some(isSub) ? '' : firstRequired(x.options))),
    })));
  } else if (c.kind === 'sub') {
    const q = c.partial.toLowerCase();
    showList('/' + [p.cmd.name, ...p.path].join(' '), c.defs.filter((o) => isSub(o) && o.name.startsWith(q)).map((o) => ({
      label: o.name,
      desc: o.description,
      name: o.name,
      apply: () => replaceRange(c.start, c.end, o.name + ' ' + ((o.options || []).some(isSub) ? '' : firstRequired(o.options))),
    })));
  } else if (c.kind === 'optname') {
    const q = c.partial.toLowerCase();
    const items = c.remaining.filter((o) => o.name.startsWith(q)).map((o) => ({
      label: o.name,
      desc: optionDesc(o),
      apply: () => replaceRange(c.start, c.end, o.name + ':'),
    }));
    if (items.length) showList('Options', items);
    else hideList();
  } else if (c.def.autocomplete) {
    askAutocomplete(p);
  } else {
    showList(c.def.name, valueItems(p));
  }
}

// Options as Discord nests them, values converted to their types; null with why in out.error.
function buildOptions(p, focused) {
  const leaf = [];
  for (const pair of p.pairs) {
    const d = pair.def;
    if (focused && pair === focused.pair) {
      leaf.push({ name: d.name, type: d.type, value: pair.value, focused: true });
      continue;
    }
    const v = convert(d, pair.value);
    if (v.error) {
      if (focused) continue; // autocomplete gets what is valid so far
      return { error: v.error };
    }
    leaf.push({ name: d.name, type: d.type, value: v.value });
  }
  if (!focused) {
    const missing = p.defs.filter((o) => o.required && !p.pairs.some((x) => x.def === o && x.value !== ''));
    if (missing.length) return { error: `/${[p.cmd.name, ...p.path].join(' ')} needs ${missing.map((o) => o.name + ':').join(', ')}` };
  }
  let options = leaf;
  const defsAt = [p.cmd.options || []];
  for (let i = 0; i < p.path.length; i++) defsAt.push((defsAt[i].find((o) => o.name === p.path[i]) || {}).options || []);
  for (let i = p.path.length - 1; i >= 0; i--) {
    const d = defsAt[i].find((o) => o.name === p.path[i]);
    options = [{ name: d.name, type: d.type, options }];
  }
  return { options };
}

function convert(d, raw) {
  const v = raw.trim();
  if (v === '') return { error: `${d.name}: is empty` };
  switch (d.type) {
    case 3: {
      if (d.choices) {
        const c = d.choices.find((x) => String(x.value) === v) || d.choices.find((x) => x.name.toLowerCase() === v.toLowerCase());
        if (!c) return { error: `${d.name}: must be one of ${d.choices.map((x) => x.value).join(', ')}` };
        return { value: c.value };
      }
      if (d.min_length != null && v.length < d.min_length) return { error: `${d.name}: at least ${d.min_length} characters` };
      if (d.max_length != null && v.length > d.max_length) return { error: `${d.name}: at most ${d.max_length} characters` };
      return { value: v };
    }
    case 4:
    case 10: {
      const ok = d.type === 4 ? /^-?\d+$/.test(v) : /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v);
      const n = Number(v);
      if (!ok || !Number.isFinite(n) || (d.type === 4 && !Number.isSafeInteger(n)))
        return { error: `${d.name}: must be a ${d.type === 4 ? 'whole number' : 'number'}` };
      if (d.min_value != null && n < d.min_value) return { error: `${d.name}: must be at least ${d.min_value}` };
      if (d.max_value != null && n > d.max_value) return { error: `${d.name}: must be at most ${d.max_value}` };
      if (d.choices && !d.choices.some((x) => x.value === n)) return { error: `${d.name}: must be one of ${d.choices.map((x) => x.value).join(', ')}` };
      return { value: n };
    }
    case 5: {
      const b = v.toLowerCase();
      if (['true', 'yes', 'on'].includes(b)) return { value: true };
      if (['false', 'no', 'off'].includes(b)) return { value: false };
      return { error: `${d.name}: must be true or false` };
    }
    case 6: {
      const mention = /^<@!?(\d+)>$/.exec(v);
      if (mention) return { value: mention[1] };
      if (/^\d{5,20}$/.test(v)) return { value: v };
      const name = v.replace(/^@/, '').toLowerCase();
      const p = [...state.players.values()].find((x) => x.name.toLowerCase() === name || x.username === name);
      if (!p) return { error: `${d.name}: must be one of the players (${[...state.players.values()].map((x) => '@' + x.name).join(', ')})` };
      return { value: p.id };
    }
    default:
      return { error: `${d.name}: options of type ${typeName(d.type)} cannot be given in the playground` };
  }
}

// Which command option an autocomplete question is about, and the question itself (its partial).
const acOwner = (p) => p.cmd.name + ' ' + p.path.join(' ') + ' ' + p.current.def.name;
const acKey = (p) => acOwner(p) + ':' + p.current.partial;

// The line as it is now, parsed, when the caret is on an option's value; else null.
function valueLine() {
  const now = parseLine(composer.input.value);
  return now.cmd && now.current && now.current.kind === 'value' ? now : null;
}

// Whether the line as it is now still asks the question key (the same option and partial).
function stillAsking(key) {
  const now = valueLine();
  return !!now && acKey(now) === key;
}

function cancelAutocomplete() {
  composer.acSeq++;
  clearTimeout(composer.acTimer);
}

function askAutocomplete(p) {
  const c = p.current;
  const key = acKey(p);
  cancelAutocomplete();
  const seq = composer.acSeq;
  if (composer.acChoices && composer.acChoices.key === key) {
    showChoices(p, composer.acChoices.choices);
    return;
  }
  // The answers to an earlier partial of this same option stay up while the new one is asked,
  // as in Discord; those of another command's option never do.
  if (composer.ac.hidden || composer.listFor !== acOwner(p))
    showList(c.def.name, [{ hint: true, label: 'Asking PopDeck…' }]);
  composer.acTimer = setTimeout(async () => {
    const built = buildOptions(p, c);
    const j = await interact({ type: 4, command: p.cmd.name, options: built.options || [], dm: state.pane === 'dm' });
    // The player typed on, picked or sent the line: a newer question, or none, is under way.
    if (seq !== composer.acSeq || !stillAsking(key)) return;
    const choices = j && j.response && j.response.data && j.response.data.choices;
    if (!Array.isArray(choices)) {
      showList(c.def.name, [{ hint: true, label: 'No suggestions' }]);
      return;
    }
    composer.acChoices = { key, choices };
    showChoices(p, choices);
  }, AUTOCOMPLETE_DEBOUNCE_MS);
}

// A choice replaces the option's value as the line is when it is picked (the list may be an
// answer to an earlier partial of it).
function showChoices(p, choices) {
  const owner = acOwner(p);
  const items = choices.map((x) => ({
    label: x.name,
    value: String(x.value),
    apply: () => {
      const now = valueLine();
      if (now && acOwner(now) === owner) replaceRange(now.current.start, now.current.end, String(x.value) + ' ');
    },
  }));
  showList(p.current.def.name, items.length ? items : [{ hint: true, label: 'No suggestions' }]);
  composer.listFor = owner;
}

function invocationOf(p, options) {
  const words = ['/' + p.cmd.name];
  const walk = (list) => {
    for (const o of list) {
      if (o.options && (o.type === 1 || o.type === 2)) {
        words.push(o.name);
        walk(o.options);
      } else {
        words.push(`${o.name}:${o.type === 6 ? '@' + playerName(o.value) : o.value}`);
      }
    }
  };
  walk(options);
  return words.join(' ');
}

async function sendLine() {
  const text = composer.input.value.trim();
  const err = $('#composer-error');
  if (!text) return;
  if (!text.startsWith('/')) {
    err.textContent = 'PopDeck answers slash commands: type / to see them.';
    return;
  }
  const p = parseLine(text + ' ');
  if (p.error || !p.cmd) {
    err.textContent = p.error || 'Pick a command from the list.';
    return;
  }
  if ((p.cmd.options || []).some(isSub) && p.path.length === 0) {
    err.textContent = `/${p.cmd.name} needs a sub-command: ${(p.cmd.options || []).map((o) => o.name).join(', ')}`;
    return;
  }
  if (p.current && p.current.kind === 'sub') {
    err.textContent = `/${[p.cmd.name, ...p.path].join(' ')} needs a sub-command`;
    return;
  }
  if (p.stray) {
    err.textContent = `Write options as name:value (${p.defs.map((o) => o.name + ':').join(' ') || 'this command takes none'})`;
    return;
  }
  const built = buildOptions(p, null);
  if (built.error) {
    err.textContent = built.error;
    return;
  }
  composer.input.value = '';
  composer.acChoices = null;
  onComposerInput(); // which cancels a question still under way
  const body = { type: 2, command: p.cmd.name, dm: state.pane === 'dm' };
  if (built.options.length) body.options = built.options;
  await interact(body, { command: invocationOf(p, built.options) });
}

// Enter sends a complete line; while the line still needs a pick (a command name being typed,
// a closed list of choices) it takes the highlighted suggestion, as Discord does.
function onComposerKey(ev) {
  const open = !composer.ac.hidden && composer.items.some((it) => !it.hint);
  if (ev.key === 'ArrowDown' && open) {
    ev.preventDefault();
    moveActive(1);
  } else if (ev.key === 'ArrowUp' && open) {
    ev.preventDefault();
    moveActive(-1);
  } else if (ev.key === 'Tab' && open) {
    ev.preventDefault();
    pickActive();
  } else if (ev.key === 'Escape') {
    hideList();
  } else if (ev.key === 'Enter') {
    ev.preventDefault();
    if (open && composer.explicit) {
      pickActive();
      return;
    }
    const text = composer.input.value;
    const p = text.startsWith('/') ? parseLine(text) : null;
    const c = p && p.current;
    if (open && c && c.kind === 'command' && !commands().some((x) => x.name === c.partial)) {
      pickActive();
      return;
    }
    if (open && c && c.kind === 'sub' && !c.defs.some((o) => o.name === c.partial)) {
      pickActive();
      return;
    }
    if (open && c && c.kind === 'value' && c.def.choices && convert(c.def, c.partial).error) {
      pickActive();
      return;
    }
    if (open && c && c.kind === 'value' && c.def.type === 6 && convert(c.def, c.partial).error) {
      pickActive();
      return;
    }
    sendLine();
  }
}

// ---------------------------------------------------------------- players and panes

function updateUnread() {
  const n = state.unread.get(state.me) || 0;
  const b = $('#dm-unread');
  b.textContent = String(n);
  b.hidden = n === 0;
}

function setPlayer(id) {
  state.me = id;
  const url = new URL(location.href);
  url.searchParams.set('player', id);
  history.replaceState(null, '', url);
  const p = state.players.get(id);
  const badges = $('#player-badges');
  badges.replaceChildren(...badgesOf(p).map((b) => h('span', 'badge badge-' + b.toLowerCase(), b)));
  $('#me-name').textContent = p.name;
  $('#me-username').textContent = '@' + p.username;
  $('#me-avatar').textContent = p.name.slice(0, 1);
  document.title = `${p.name} · #popdeck · ${state.cfg.guild_name}`;
  if (state.pane === 'dm') state.unread.set(id, 0);
  refilter();
}

function setPane(pane) {
  state.pane = pane;
  $('#channel-pane').hidden = pane !== 'channel';
  $('#dm-pane').hidden = pane !== 'dm';
  for (const li of document.querySelectorAll('.channel-entry')) li.classList.toggle('active', li.dataset.pane === pane);
  $('#pane-title').textContent = pane === 'dm' ? '@PopDeck · Direct Messages' : '#popdeck';
  composer.input.placeholder = pane === 'dm' ? 'Message @PopDeck — type / for commands' : 'Message #popdeck — type / for commands';
  if (pane === 'dm') state.unread.set(state.me, 0);
  updateUnread();
  keepDown(pane);
}

async function start() {
  let cfg;
  try {
    const res = await fetch('/play/api/config');
    if (!res.ok) throw new Error('HTTP ' + res.status);
    cfg = await res.json();
  } catch (e) {
    document.body.replaceChildren(h('div', 'system-line error fatal', `The playground's configuration could not be read (${e.message}).`));
    return;
  }
  state.cfg = cfg;
  for (const p of cfg.players) {
    state.players.set(p.id, p);
    state.names.set(p.id, p.name);
  }
  $('#guild-name').textContent = cfg.guild_name;
  const sel = $('#player');
  for (const p of cfg.players) {
    const o = h('option', null, p.name + badgesOf(p).filter((b) => b !== p.name).map((b) => ' · ' + b).join(''));
    o.value = p.id;
    sel.append(o);
  }
  const asked = new URL(location.href).searchParams.get('player');
  const first = state.players.has(asked) ? asked : cfg.players[0].id;
  sel.value = first;
  sel.addEventListener('change', () => setPlayer(sel.value));

  composer.input = $('#composer');
  composer.ac = $('#ac');
  composer.input.addEventListener('input', onComposerInput);
  composer.input.addEventListener('keydown', onComposerKey);
  composer.input.addEventListener('blur', () => setTimeout(hideList, 150));
  composer.input.addEventListener('focus', onComposerInput);
  $('#composer-form').addEventListener('submit', (ev) => ev.preventDefault());
  for (const li of document.querySelectorAll('.channel-entry')) li.addEventListener('click', () => setPane(li.dataset.pane));
  for (const pane of ['channel', 'dm']) {
    const list = listOf(pane);
    list.addEventListener('scroll', () => {
      state.stick[pane] = list.scrollTop + list.clientHeight >= list.scrollHeight - 60;
    });
  }
  setPlayer(first);
  setPane('channel');
  setInterval(() => updateRelativeTimes(document.body), 5000);
  document.body.classList.add('ready');
  readFeed();
  composer.input.focus();
}

start();
