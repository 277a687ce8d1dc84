// play.test.mjs URL OUTDIR - the playground page (assets/play) in the system's headless Chromium,
// against a running `popdeck serve` in development mode (test/browser/run.sh starts it).  Each
// test asserts what a player sees (text, loaded images) and prints one PASS:/FAIL: line; a failed
// test leaves screenshots of every open tab in OUTDIR, named after it.  PLAY_SCREENSHOT=FILE
// also saves a 1200x800 picture of a played channel (for the README).
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const [base, outdir] = process.argv.slice(2);
if (!base || !outdir) {
  console.error('usage: play.test.mjs URL OUTDIR');
  process.exit(2);
}
const TIMEOUT = 15000;
const AVA = '80351110224678912';
const BEN = '80351110224678913';
const ADMIN = '80351110224678914';

// One browser per player, as two people on two machines: a tab behind another stops painting,
// and puppeteer's clicks wait for a painted frame.
const browsers = [];
function launch() {
  return puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    // Chromium's sandbox cannot start as root (a container's usual user).
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
    defaultViewport: { width: 1200, height: 800 },
    protocolTimeout: 30000,
  });
}
const pages = [];
const errors = [];

// A tab acting as one player, with a record of every message that showed "PopDeck is thinking…"
// (the deferred state can last a moment only; the observer sees each DOM state the page had).
async function open(player) {
  const browser = await launch();
  browsers.push(browser);
  const [page] = await browser.pages();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (e) => errors.push(`${player}: ${e.message}`));
  await page.evaluateOnNewDocument(() => {
    window.__thinking = new Set();
    const look = () => {
      for (const t of document.querySelectorAll('.message .thinking')) {
        const m = t.closest('.message');
        if (t.textContent.includes('PopDeck is thinking…') && !m.hidden) window.__thinking.add(m.dataset.id);
      }
    };
    new MutationObserver(look).observe(document, { subtree: true, childList: true });
  });
  await page.goto(`${base}/play?player=${player}`, { waitUntil: 'load' });
  await page.waitForSelector('body.ready');
  pages.push(page);
  return page;
}

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

const ids = (page) => page.$$eval('.message[data-id]', (ms) => ms.map((m) => m.dataset.id));

// Types a line into the composer and presses Enter.
async function send(page, line) {
  await page.$eval('#composer', (e) => {
    e.value = '';
    e.focus();
  });
  await page.type('#composer', line);
  await page.keyboard.press('Enter');
}

// The id of the first visible message not in before for which pred (the body of a function of
// the message element m) holds.
async function newMessage(page, before, pred, what) {
  try {
    const handle = await page.waitForFunction(
      (seen, src) => {
        const test = new Function('m', src);
        for (const m of document.querySelectorAll('.message[data-id]'))
          if (!seen.includes(m.dataset.id) && !m.hidden && test(m)) return m.dataset.id;
        return false;
      },
      {},
      before,
      pred,
    );
    return await handle.jsonValue();
  } catch (e) {
    throw new Error(`no new message: ${what} (${e.message.split('\n')[0]}); ${await lastSeen(page)}`);
  }
}

// What the player saw last, for a failure's message: the newest visible message and the
// composer's line and complaint.
function lastSeen(page) {
  return page.evaluate(() => {
    const shown = [...document.querySelectorAll('.message[data-id]')].filter((m) => !m.hidden);
    const last = shown.length ? shown[shown.length - 1].textContent.replace(/\s+/g, ' ').trim().slice(0, 300) : 'none';
    const line = document.querySelector('#composer').value;
    const err = document.querySelector('#composer-error').textContent;
    return `the last message: "${last}"; the composer: "${line}"${err ? ` (${err})` : ''}`;
  }).catch((e) => `(the page could not be read: ${e.message})`);
}

// Waits until pred (a function body of the message element m) holds for message id.
async function until(page, id, pred, what) {
  try {
    await page.waitForFunction(
      (mid, src) => {
        const m = document.querySelector(`.message[data-id="${mid}"]`);
        return !!m && new Function('m', src)(m);
      },
      {},
      id,
      pred,
    );
  } catch (e) {
    throw new Error(`message ${id}: ${what} (${e.message.split('\n')[0]})`);
  }
}

const IMG_OK = `(() => { const i = m.querySelector('.embed-image img'); return !!i && i.complete && i.naturalWidth > 0; })()`;
const IMG_LOADED = `return ${IMG_OK};`;

async function clickButton(page, id, label) {
  await until(page, id, `return [...m.querySelectorAll('.component-button')].some((b) => b.textContent.includes(${JSON.stringify(label)}) && !b.disabled);`,
    `an enabled button "${label}"`);
  const b = await page.evaluateHandle((mid, l) => [...document.querySelector(`.message[data-id="${mid}"]`).querySelectorAll('.component-button')]
    .find((x) => x.textContent.includes(l) && !x.disabled), id, label);
  await b.asElement().click();
}

async function clickItem(page, text) {
  try {
    await page.waitForFunction((t) => [...document.querySelectorAll('.ac-item')].some((i) => i.textContent.includes(t)), {}, text);
  } catch (e) {
    const shown = await page.$$eval('.ac-item, .ac-hint', (xs) => xs.map((x) => x.textContent).join(' | '));
    throw new Error(`no suggestion "${text}" (the list: ${shown || 'empty'})`);
  }
  const item = await page.evaluateHandle((t) => [...document.querySelectorAll('.ac-item')].find((i) => i.textContent.includes(t)), text);
  await item.asElement().click();
}

const textOf = (page, id, sel) => page.$eval(`.message[data-id="${id}"] ${sel}`, (e) => e.textContent);

// /openpack, wait for the backs, keep card n; returns the kept card's id (TAYL_LO#04).
async function openAndKeep(page, n) {
  const before = await ids(page);
  await send(page, '/openpack');
  const id = await newMessage(page, before, `return (m.querySelector('.interaction-header')?.textContent || '').includes('used /openpack');`, '/openpack');
  await clickButton(page, id, `Card ${n}`);
  await until(page, id, `return m.classList.contains('flipped') && (m.querySelector('.embed-title')?.textContent || '').startsWith('You kept') && ${IMG_OK}`,
    'flipped to the kept card with its image loaded');
  return page.$eval(`.message[data-id="${id}"] .embed`, cardField);
}

// The "Card" field of an embed element: the card's id.
function cardField(e) {
  const f = [...e.querySelectorAll('.embed-field')].find((x) => x.querySelector('.embed-field-name').textContent === 'Card');
  return f ? f.querySelector('.embed-field-value').textContent : '';
}

const ctx = {}; // what one test leaves for the next (the player's kept card, the tabs)

async function play_command_list() {
  const page = ctx.ava;
  const cfg = await page.evaluate(() => fetch('/play/api/config').then((r) => r.json()));
  check(cfg.commands.length > 10, `config lists ${cfg.commands.length} commands`);
  await page.$eval('#composer', (e) => {
    e.value = '';
    e.focus();
  });
  await page.type('#composer', '/');
  await page.waitForFunction((n) => document.querySelectorAll('#ac:not([hidden]) .ac-item').length === n, {}, cfg.commands.length)
    .catch(async () => {
      const n = await page.$$eval('.ac-item', (xs) => xs.length);
      throw new Error(`"/" lists ${n} commands, config has ${cfg.commands.length}`);
    });
  const items = await page.$$eval('.ac-item', (xs) => xs.map((x) => x.textContent));
  for (const c of cfg.commands) {
    check(items.some((t) => t.includes('/' + c.name) && t.includes(c.description)), `"/${c.name}" with "${c.description}" is not listed`);
  }
  await page.keyboard.press('Escape');
  await page.$eval('#composer', (e) => { e.value = ''; });
}

async function play_daily_embed() {
  const page = ctx.ava;
  const before = await ids(page);
  await send(page, '/daily');
  const id = await newMessage(page, before, `return !!m.querySelector('.embed-title');`, '/daily with an embed');
  const title = await textOf(page, id, '.embed-title');
  check(/^Daily/.test(title), `the /daily embed's title is "${title}"`);
  const header = await textOf(page, id, '.interaction-header');
  check(header.includes('Ava used /daily'), `the header is "${header}"`);
  const desc = await textOf(page, id, '.embed-description');
  check(/250 Notes/.test(desc) && !/\*\*/.test(desc), `the description (markdown rendered) is "${desc}"`);
  ctx.dailyId = id;
}

async function play_openpack_flip() {
  const page = ctx.ava;
  const before = await ids(page);
  await send(page, '/openpack');
  const id = await newMessage(page, before, `return (m.querySelector('.interaction-header')?.textContent || '').includes('used /openpack');`, '/openpack');
  await until(page, id, IMG_LOADED, 'the pack image loaded');
  const backs = await page.$eval(`.message[data-id="${id}"] .embed-image img`, (i) => i.src);
  check(/\/_files\//.test(backs), `the pack image is the uploaded pack.png, not ${backs}`);
  check(await page.evaluate((mid) => window.__thinking.has(mid), id), 'the message never showed "PopDeck is thinking…"');
  check(!(await page.$eval(`.message[data-id="${id}"]`, (m) => m.classList.contains('flipped'))), 'flipped before a card was picked');
  await clickButton(page, id, 'Card 1');
  await until(page, id, `return m.classList.contains('flipped') && (m.querySelector('.embed-title')?.textContent || '').startsWith('You kept');`,
    'flipped to "You kept …"');
  await until(page, id, IMG_LOADED, 'the kept card image loaded');
  const card = await page.$eval(`.message[data-id="${id}"] .embed-image img`, (i) => i.src);
  check(card !== backs && /\/cards\//.test(card), `the flipped image is ${card}`);
  const title = await textOf(page, id, '.embed-title');
  ctx.keptName = title.replace(/^You kept /, '');
  ctx.keptId = await page.$eval(`.message[data-id="${id}"] .embed`, cardField);
  check(ctx.keptId, 'the kept card shows no Card field');
}

async function play_mycards_next() {
  const page = ctx.ava;
  // Ten different cards a page (copies of one card share a line): packs until eleven.
  const kept = new Set([ctx.keptId]);
  for (let i = 0; kept.size < 11; i++) {
    check(i < 30, `30 packs kept only ${kept.size} different cards`);
    kept.add(await openAndKeep(page, 1 + (i % 3)));
  }
  const before = await ids(page);
  await send(page, '/mycards');
  const id = await newMessage(page, before, `return (m.querySelector('.embed-footer')?.textContent || '').includes('Page 1');`, '/mycards page 1');
  const page1 = await textOf(page, id, '.embed-description');
  await clickButton(page, id, 'Next');
  await until(page, id, `return (m.querySelector('.embed-footer')?.textContent || '').includes('Page 2');`, 'page 2 after Next');
  const page2 = await textOf(page, id, '.embed-description');
  check(page2 !== page1 && page2.trim() !== '', 'page 2 lists the same cards as page 1');
}

async function play_ephemeral_per_player() {
  const ava = ctx.ava;
  let before = await ids(ava);
  await send(ava, '/cooldowns');
  const secret = await newMessage(ava, before, `return m.classList.contains('ephemeral') && m.textContent.includes('Only you can see this');`, 'an ephemeral /cooldowns');
  before = await ids(ava);
  await send(ava, '/balance');
  const pub = await newMessage(ava, before, `return !m.classList.contains('ephemeral') && (m.querySelector('.interaction-header')?.textContent || '').includes('/balance');`, 'a public /balance');

  const ben = await open(BEN);
  ctx.ben = ben;
  const shown = (page, id) => page.evaluate((mid) => {
    const m = document.querySelector(`.message[data-id="${mid}"]`);
    return !!m && !m.hidden && m.checkVisibility();
  }, id);
  // The feed brings records in order: once the later public message shows, the ephemeral one
  // has been applied too.
  await until(ben, pub, 'return !m.hidden;', "Ava's public /balance shown to Ben");
  check(await shown(ben, ctx.dailyId), "Ava's public /daily is not shown to Ben");
  check(!(await shown(ben, secret)), "Ava's ephemeral /cooldowns is shown to Ben");
  const visibleEphemeral = await ben.$$eval('.message.ephemeral', (ms) => ms.filter((m) => !m.hidden).length);
  check(visibleEphemeral === 0, `Ben sees ${visibleEphemeral} ephemeral messages of others`);
  await ben.select('#player', AVA);
  await until(ben, secret, 'return !m.hidden;', 'the ephemeral message shown after switching to Ava');
  await ben.select('#player', BEN);
  await until(ben, secret, 'return m.hidden;', 'the ephemeral message hidden after switching back to Ben');
  check(await shown(ben, pub), 'the public message hidden after switching back');
  // Ava's tab had both its own answer and the feed's record of each interaction: one message.
  for (const [page, who] of [[ava, 'Ava'], [ben, 'Ben']]) {
    const n = await page.$$eval('.interaction-header', (hs) => hs.filter((x) => x.textContent.includes('Ava used /daily')).length);
    check(n === 1, `${who}'s tab shows ${n} messages of Ava's one /daily`);
  }
  // And in Ava's own tab: as Ben it goes, as Ava it comes back.
  await ava.select('#player', BEN);
  await until(ava, secret, 'return m.hidden;', "hidden in Ava's tab switched to Ben");
  await ava.select('#player', AVA);
  await until(ava, secret, 'return !m.hidden;', "shown again in Ava's tab switched back to Ava");
}

async function play_viewcard_autocomplete() {
  const page = ctx.ava;
  check(ctx.keptName && ctx.keptId, 'no kept card from the /openpack test');
  await page.$eval('#composer', (e) => {
    e.value = '';
    e.focus();
  });
  await page.type('#composer', '/viewc');
  await clickItem(page, '/viewcard');
  const line = await page.$eval('#composer', (e) => e.value);
  check(line === '/viewcard card:', `choosing /viewcard leaves "${line}" in the composer`);
  const era = ctx.keptName.split(' — ').pop();
  await page.type('#composer', era);
  await clickItem(page, ctx.keptId);
  const chosen = await page.$eval('#composer', (e) => e.value);
  check(chosen.trim() === `/viewcard card:${ctx.keptId}`, `the composer holds "${chosen}"`);
  const before = await ids(page);
  await page.keyboard.press('Enter');
  const id = await newMessage(page, before, `return !!m.querySelector('.embed-title');`, '/viewcard with an embed');
  const title = await textOf(page, id, '.embed-title');
  check(title === ctx.keptName, `/viewcard shows "${title}", not "${ctx.keptName}"`);
  await until(page, id, IMG_LOADED, "the card's image loaded");
}

// An autocomplete answer that comes late, after its line was sent or changed, is dropped: the
// page holds /viewcard's answer (request interception) while the player goes on to /sell, whose
// card option has the same name.  The list then never offers /viewcard's cards (ids without a
// print number) for /sell, which takes copies.
async function play_autocomplete_late_answer() {
  const page = ctx.ava;
  let release;
  const held = new Promise((r) => { release = r; });
  let caught;
  const caughtP = new Promise((r) => { caught = r; });
  const hold = async (req) => {
    if (req.isInterceptResolutionHandled()) return;
    const body = req.method() === 'POST' && req.url().endsWith('/play/api/interact') ? JSON.parse(req.postData() || '{}') : {};
    if (body.type === 4 && body.command === 'viewcard') {
      caught();
      await held;
    }
    req.continue().catch(() => {});
  };
  await page.setRequestInterception(true);
  page.on('request', hold);
  try {
    await page.$eval('#composer', (e) => {
      e.value = '';
      e.focus();
    });
    await page.type('#composer', '/viewcard card:');
    await Promise.race([caughtP, new Promise((_, no) => setTimeout(() => no(new Error('/viewcard asked no autocomplete')), TIMEOUT))]);
    await page.$eval('#composer', (e) => { e.value = ''; });
    await page.type('#composer', '/sell car');
    const answered = page.waitForResponse((r) => r.url().endsWith('/play/api/interact'));
    release();
    await answered;
    // The page has the late answer; give its handler a moment to (wrongly) show it.
    await new Promise((r) => setTimeout(r, 300));
    const cardsOnly = (xs) => xs.filter((t) => /^[A-Z0-9_]+#\d+ ·/.test(t));
    const early = await page.$$eval('#ac:not([hidden]) .ac-item', (xs) => xs.map((x) => x.textContent));
    check(cardsOnly(early).length === 0, `while typing /sell the list offers /viewcard's cards: ${cardsOnly(early).join(' | ')}`);
    await page.type('#composer', 'd:');
    await page.waitForFunction(() => [...document.querySelectorAll('#ac:not([hidden]) .ac-item')].some((i) => /#\d+\/\d+/.test(i.textContent)))
      .catch(() => {
        throw new Error("/sell card: lists none of Ava's copies");
      });
    const items = await page.$$eval('#ac:not([hidden]) .ac-item', (xs) => xs.map((x) => x.textContent));
    check(cardsOnly(items).length === 0, `/sell card: offers /viewcard's cards: ${cardsOnly(items).join(' | ')}`);
  } finally {
    release();
    page.off('request', hold);
    await page.setRequestInterception(false);
    await page.keyboard.press('Escape');
    await page.$eval('#composer', (e) => { e.value = ''; });
  }
}

// Lists a copy through /sell's autocomplete (the first entry containing pick) for price Notes;
// returns the listing's number and the copy, as the answer names them.
async function listForSale(page, pick, price) {
  await page.$eval('#composer', (e) => {
    e.value = '';
    e.focus();
  });
  await page.type('#composer', '/sell card:');
  await clickItem(page, pick);
  await page.type('#composer', `price:${price} currency:notes`);
  const before = await ids(page);
  await page.keyboard.press('Enter');
  const listed = await newMessage(page, before, `return (m.querySelector('.content')?.textContent || '').includes('Listed');`, 'the listing');
  const text = await textOf(page, listed, '.content');
  const number = (/as listing (\d+)/.exec(text) || [])[1];
  const copy = (/Listed (\S+)/.exec(text) || [])[1];
  check(number && copy, `no listing in "${text}"`);
  return { number, copy };
}

// Ben's tab, with his /daily's Notes claimed once (what he buys with).
async function benWithNotes() {
  const ben = ctx.ben || (ctx.ben = await open(BEN));
  if (!ctx.benPaid) {
    const before = await ids(ben);
    await send(ben, '/daily');
    await newMessage(ben, before, `return !!m.querySelector('.embed-title');`, "Ben's /daily");
    ctx.benPaid = true;
  }
  return ben;
}

async function play_sale_dm() {
  const ava = ctx.ava;
  const { number } = await listForSale(ava, ctx.keptId || '#', 5);
  const ben = await benWithNotes();
  await ben.$eval('#composer', (e) => {
    e.value = '';
    e.focus();
  });
  await ben.type('#composer', '/buy listing:' + number);
  await clickItem(ben, `#${number} ·`);
  const before = await ids(ben);
  await ben.keyboard.press('Enter');
  await newMessage(ben, before, `return (m.querySelector('.content')?.textContent || '').includes('You bought');`, "Ben's purchase");

  const note = `Your listing ${number} sold`;
  await ava.waitForFunction(() => {
    const b = document.querySelector('#dm-unread');
    return b && !b.hidden && Number(b.textContent) > 0;
  }).catch(() => {
    throw new Error("Ava's Direct Messages show no unread count");
  });
  await ava.click('.channel-entry[data-pane="dm"]');
  await ava.waitForFunction((t) => {
    const pane = document.querySelector('#dm-pane');
    return pane.checkVisibility() && [...pane.querySelectorAll('.message')].some((m) => !m.hidden && m.textContent.includes(t));
  }, {}, note).catch(() => {
    throw new Error(`Ava's DM pane does not show "${note}"`);
  });
  await ben.click('.channel-entry[data-pane="dm"]');
  await ben.waitForFunction(() => document.querySelector('#dm-pane').checkVisibility());
  const benSees = await ben.$$eval('#dm-pane .message', (ms, t) => ms.some((m) => !m.hidden && m.textContent.includes(t)), note);
  check(!benSees, "Ben's DM pane shows Ava's sale notice");
  await ava.click('.channel-entry[data-pane="channel"]');
  await ben.click('.channel-entry[data-pane="channel"]');
}

// A string select: Ben buys Ava's listing from /market's "Buy one of these" menu.
async function play_market_select() {
  const ava = ctx.ava;
  const { copy } = await listForSale(ava, '#', 3);
  const ben = await benWithNotes();

  let before = await ids(ben);
  await send(ben, '/market');
  const market = await newMessage(ben, before, `return !!m.querySelector('.component-select');`, '/market with its menu');
  const placeholder = await textOf(ben, market, '.select-toggle');
  check(placeholder.includes('Buy one of these'), `the menu shows "${placeholder}"`);
  await ben.click(`.message[data-id="${market}"] .select-toggle`);
  const option = await ben.waitForFunction((mid, c) => [...document.querySelectorAll(`.message[data-id="${mid}"] .select-option`)]
    .find((o) => o.checkVisibility() && o.textContent.includes(c)), {}, market, copy)
    .catch(() => {
      throw new Error(`the open menu has no option for ${copy}`);
    });
  before = await ids(ben);
  await option.asElement().click();
  await ben.waitForFunction((mid, c, seen) => [...document.querySelectorAll('.message[data-id]')]
    .some((m) => !m.hidden && (m.dataset.id === mid || !seen.includes(m.dataset.id)) && m.textContent.includes('You bought') && m.textContent.includes(c)),
  {}, market, copy, before).catch(async () => {
    throw new Error(`no "You bought ${copy}" after choosing it in the menu; ${await lastSeen(ben)}`);
  });
}

const tests = [
  play_command_list,
  play_daily_embed,
  play_openpack_flip,
  play_mycards_next,
  play_ephemeral_per_player,
  play_viewcard_autocomplete,
  play_autocomplete_late_answer,
  play_sale_dm,
  play_market_select,
];

let failed = 0;
const started = Date.now();
try {
  ctx.ava = await open(AVA);
} catch (e) {
  console.log(`FAIL: play_page_loads\n  ${e.message}`);
  for (const b of browsers) await b.close();
  process.exit(1);
}
fs.mkdirSync(outdir, { recursive: true });
for (const t of tests) {
  const t0 = Date.now();
  try {
    await t();
    console.log(`PASS: ${t.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`FAIL: ${t.name}\n  ${e.message}`);
    for (let i = 0; i < pages.length; i++) {
      const file = path.join(outdir, `${t.name}${pages.length > 1 ? '-' + (i + 1) : ''}.png`);
      await pages[i].screenshot({ path: file }).catch(() => {});
    }
  }
}
if (errors.length) {
  failed++;
  console.log(`FAIL: play_no_page_errors\n  ${errors.join('\n  ')}`);
} else {
  console.log('PASS: play_no_page_errors');
}

// A picture for the README: a /daily embed and a pack just flipped, in a fresh tab.
if (process.env.PLAY_SCREENSHOT) {
  try {
    const page = await open(ADMIN);
    const before = await ids(page);
    await send(page, '/daily');
    const daily = await newMessage(page, before, `return !!m.querySelector('.embed-title');`, '/daily');
    await openAndKeep(page, 2);
    await page.$eval('#composer', (e) => {
      e.value = '';
      e.blur();
    });
    // From the /daily embed down: the kept card below it, the cards that got away cut off.
    await page.waitForFunction((mid) => {
      const l = document.querySelector('#messages');
      const top = document.querySelector(`.message[data-id="${mid}"]`).getBoundingClientRect().top - l.getBoundingClientRect().top;
      if (Math.abs(top) < 2) return true;
      l.scrollTop += top;
      return false;
    }, { polling: 200 }, daily);
    await page.mouse.move(150, 500); // no hover highlight on a message
    await page.screenshot({ path: process.env.PLAY_SCREENSHOT });
    console.log(`screenshot: ${process.env.PLAY_SCREENSHOT}`);
  } catch (e) {
    failed++;
    console.log(`FAIL: play_screenshot\n  ${e.message}`);
  }
}
console.log(`browser tests: ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const b of browsers) await b.close();
process.exit(failed ? 1 : 0);
