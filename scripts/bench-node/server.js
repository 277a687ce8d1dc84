// Discord's official Node example stack answering PING: express + discord-interactions'
// verifyKeyMiddleware. Used only by scripts/bench.sh for comparison.
const express = require('express');
const { InteractionType, InteractionResponseType, verifyKeyMiddleware } = require('discord-interactions');

const app = express();
app.get('/healthz', (req, res) => res.send('ok'));
app.post('/interactions', verifyKeyMiddleware(process.env.PUBLIC_KEY), (req, res) => {
  if (req.body.type === InteractionType.PING) {
    return res.send({ type: InteractionResponseType.PONG });
  }
  return res.status(400).send({ error: 'unknown interaction' });
});
app.listen(Number(process.env.PORT), '127.0.0.1');
