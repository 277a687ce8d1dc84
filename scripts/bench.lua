-- bench.lua - wrk script: replays one signed interaction (body on line 1 of $BENCH_REQ, then
-- header lines).  BENCH_DELAY_MS paces each connection (wrk 4.1 has no -R).
local f = assert(io.open(os.getenv("BENCH_REQ")))
local body = f:read("*l")
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
for line in f:lines() do
  local k, v = line:match("^([^:]+):%s*(.*)$")
  if k then wrk.headers[k] = v end
end
f:close()
local pace = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pace > 0 then
  function delay() return pace end
end
function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d errors=%d non2xx=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(99)))
end
