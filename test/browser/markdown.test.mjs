// markdown.test.mjs - assets/play/markdown.js, table-driven in Node (no browser needed): each
// row's input and what its HTML must and must not contain.  One PASS:/FAIL: line per row.
import { renderMarkdown, relativeTime } from '../../assets/play/markdown.js';

const ctx = { players: new Map([['80351110224678912', 'Ava']]), channels: new Map([['3333333333333333333', 'popdeck']]) };
const rows = [
  { name: 'escapes html', input: '<img src=x onerror=alert(1)> & "q"', has: ['&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;'], not: ['<img'] },
  { name: 'bold italics underline strike', input: '**b** *i* _j_ __u__ ~~s~~', has: ['<strong>b</strong>', '<em>i</em>', '<em>j</em>', '<u>u</u>', '<s>s</s>'] },
  { name: 'underscores inside words stay', input: 'TAYL_LO#04/01 and TAYL_FE#01', has: ['TAYL_LO#04/01 and TAYL_FE#01'], not: ['<em>'] },
  { name: 'inline code is not markup', input: '`**TAYL_LO#04**` **x**', has: ['<code class="md-code">**TAYL_LO#04**</code>', '<strong>x</strong>'] },
  { name: 'code block', input: 'a\n```js\nlet *x* = <b>;\n```', has: ['<pre class="md-codeblock"><code>let *x* = &lt;b&gt;;'], not: ['<em>x</em>'] },
  { name: 'quote heading list', input: '# Title\n> said\n- one\n- two', has: ['<h1 class="md-h1">Title</h1>', '<blockquote class="md-quote">said</blockquote>', '<li>one</li><li>two</li>'] },
  { name: 'http link with noopener', input: '[site](https://example.org/a?b=1&c=2)', has: ['href="https://example.org/a?b=1&amp;c=2"', 'rel="noopener noreferrer"', '>site</a>'] },
  { name: 'javascript link is text', input: '[x](javascript:alert(1))', has: ['[x](javascript:alert(1))'], not: ['href'] },
  { name: 'mentions by name', input: '<@80351110224678912> <@!80351110224678999>', has: ['@Ava', '@Player 8999'], not: ['&lt;@'] },
  { name: 'channel and emoji', input: '<#3333333333333333333> <:pop:123456>', has: ['#popdeck', ':pop:'] },
  { name: 'relative timestamp is live', input: '<t:1796247525:R>', has: ['class="ts ts-relative" data-unix="1796247525"'] },
  { name: 'date timestamp', input: '<t:0:D>', has: ['<time class="ts" data-unix="0"'], not: ['ts-relative', '&lt;t:'] },
];

let failed = 0;
for (const r of rows) {
  const html = renderMarkdown(r.input, ctx);
  const missing = (r.has || []).filter((x) => !html.includes(x));
  const present = (r.not || []).filter((x) => html.includes(x));
  if (missing.length || present.length) {
    failed++;
    console.log(`FAIL: markdown ${r.name}\n  got ${html}\n  missing ${JSON.stringify(missing)} unwanted ${JSON.stringify(present)}`);
  } else {
    console.log(`PASS: markdown ${r.name}`);
  }
}
const now = 1796161124000;
const rel = [relativeTime(1796161124 + 600, now), relativeTime(1796161124 - 7200, now)];
if (/10 minutes/.test(rel[0]) && /2 hours ago/.test(rel[1])) console.log('PASS: markdown relative times');
else {
  failed++;
  console.log(`FAIL: markdown relative times\n  got ${JSON.stringify(rel)}`);
}
process.exit(failed ? 1 : 0);
