-- wrk script of bench/bench_tableaux_de_bord.py: counts non-2xx answers in every thread and prints one JSON line
-- (latencies in microseconds). The session cookie comes with -H "Cookie: …".
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    '{"p50": %d, "p95": %d, "p99": %d, "requetes": %d, "non2xx": %d, "erreurs_socket": %d, "duree_us": %d}\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.requests, total,
    e.connect + e.read + e.write + e.timeout, summary.duration))
end
