// validate.mjs - checks payloads PopDeck produced (JSON lines of {kind, body}) against the request
// schemas of Discord's own OpenAPI 3.1 description (discord-openapi.json, MIT, from
// discord/discord-api-spec).  Prints each failure and a closing "N passed, N failed" line.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = dirname(fileURLToPath(import.meta.url));
const spec = JSON.parse(readFileSync(join(here, 'discord-openapi.json'), 'utf8'));
const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.log(`no payloads recorded (${file ?? 'no file given'})`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats.default ? addFormats.default(ajv) : addFormats(ajv);
// Discord's own formats: snowflakes are decimal strings, int64 fits a JSON number.
ajv.addFormat('snowflake', /^(0|[1-9][0-9]*)$/);
ajv.addFormat('int64', true);
ajv.addFormat('int32', true);
ajv.addFormat('double', true);
ajv.addFormat('float', true);
spec.$id = 'discord.json';
ajv.addSchema(spec);

const ptr = (...parts) => 'discord.json#/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).map(encodeURIComponent).join('/');
const body = (path, method) => ptr('paths', path, method, 'requestBody', 'content', 'application/json', 'schema');
const validators = {
  callback: ajv.compile({ $ref: body('/interactions/{interaction_id}/{interaction_token}/callback', 'post') }),
  webhook_patch: ajv.compile({ $ref: body('/webhooks/{webhook_id}/{webhook_token}/messages/@original', 'patch') }),
  webhook_post: ajv.compile({ $ref: body('/webhooks/{webhook_id}/{webhook_token}', 'post') }),
  commands_put: ajv.compile({ $ref: body('/applications/{application_id}/commands', 'put') }),
  dm_open: ajv.compile({ $ref: body('/users/@me/channels', 'post') }),
  channel_message: ajv.compile({ $ref: body('/channels/{channel_id}/messages', 'post') }),
};
// For a callback, the anyOf's errors are noise: report the member its "type" selects.
const callbackMember = {
  1: 'PongInteractionCallbackRequest', 4: 'CreateMessageInteractionCallbackRequest',
  5: 'CreateMessageInteractionCallbackRequest', 6: 'UpdateMessageInteractionCallbackRequest',
  7: 'UpdateMessageInteractionCallbackRequest', 8: 'ApplicationCommandAutocompleteCallbackRequest',
  9: 'ModalInteractionCallbackRequest',
};

const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
let passed = 0, failed = 0;
lines.forEach((line, i) => {
  let rec;
  try { rec = JSON.parse(line); } catch (e) { failed++; console.log(`line ${i + 1}: not JSON`); return; }
  const v = validators[rec.kind];
  if (!v) { failed++; console.log(`line ${i + 1}: unknown kind ${rec.kind}`); return; }
  if (v(rec.body)) { passed++; return; }
  failed++;
  let errors = v.errors;
  if (rec.kind === 'callback' && callbackMember[rec.body?.type]) {
    const member = ajv.compile({ $ref: ptr('components', 'schemas', callbackMember[rec.body.type]) });
    member(rec.body);
    errors = member.errors ?? errors;
  }
  console.log(`line ${i + 1} (${rec.kind}): ${JSON.stringify(rec.body).slice(0, 300)}`);
  for (const e of (errors ?? []).slice(0, 8)) console.log(`  ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
});
console.log(`openapi: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || lines.length === 0 ? 1 : 0);
