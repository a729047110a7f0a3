-- wrk script for `make bench`: optional POST of random 10-letter tasks or DELETEs, and a JSON
-- summary. BENCH_METHOD=POST makes every request a create; BENCH_METHOD=DELETE deletes the todos
-- BENCH_FIRST_ID, BENCH_FIRST_ID - 1, ... (one thread: each id once); BENCH_JSON=FILE receives
-- the summary.

local method = os.getenv("BENCH_METHOD") or "GET"
-- BENCH_TRACEPARENT: sent with every request (bench/tracing.sh: trace context from the edge).
local traceparent = os.getenv("BENCH_TRACEPARENT")
if traceparent == "" then
  traceparent = nil
end
if traceparent then
  wrk.headers["traceparent"] = traceparent
end

if method == "POST" then
  local letters = "abcdefghijklmnopqrstuvwxyz"
  local headers = { ["Content-Type"] = "application/json", ["traceparent"] = traceparent }

  -- Each wrk thread has its own Lua state: number the threads so their tasks differ.
  local threads = 0
  function setup(thread)
    threads = threads + 1
    thread:set("thread_id", threads)
  end

  function init(args)
    math.randomseed(os.time() * 100 + thread_id)
  end

  function request()
    local task = {}
    for i = 1, 10 do
      local n = math.random(#letters)
      task[i] = letters:sub(n, n)
    end
    return wrk.format("POST", nil, headers, '{"task":"' .. table.concat(task) .. '"}')
  end
end

if method == "DELETE" then
  local next_id = tonumber(os.getenv("BENCH_FIRST_ID"))
  -- wrk calls request() once before the run to check what it returns, and never sends that one.
  local checked = false

  function request()
    local id = next_id
    if checked then
      next_id = next_id - 1
    end
    checked = true
    return wrk.format("DELETE", "/api/todos/" .. id)
  end
end

-- Statuses outside 2xx/3xx are what wrk calls `errors.status`; socket errors are counted apart.
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local out = io.open(os.getenv("BENCH_JSON"), "w")
  out:write(string.format(
    '{"requests":%d,"duration_s":%.3f,"requests_per_s":%.1f,' ..
    '"latency_ms":{"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f,"mean":%.3f},' ..
    '"errors":{"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, latency.mean / 1e3,
    e.status, e.connect, e.read, e.write, e.timeout))
  out:close()
end
