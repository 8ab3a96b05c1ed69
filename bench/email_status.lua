-- wrk script for bench/email_status.py: cycles through a fixed list of e-mail addresses.
--
--   wrk -t2 -c10 -d10s -s bench/email_status.lua URL -- ADDRESSES_FILE post ORIGIN
--       POST {"email": "<address>"} to URL (the bridge or the baseline app) with "Origin: ORIGIN",
--       as the login page's fetch sends it; mode "post-close" adds "Connection: close" (a new
--       connection per request, as behind a proxy that does not keep upstream connections alive)
--   wrk -t2 -c10 -d10s -s bench/email_status.lua URL -- ADDRESSES_FILE search TOKEN
--       GET URL?email=<address>&exact=true with "Authorization: Bearer TOKEN" (Keycloak's admin API)
--
-- At the end it prints one line "BENCH_JSON {...}" with counts and latency percentiles (microseconds).

local thread_count = 0

function setup(thread)
  thread:set("offset", thread_count * 17)
  thread_count = thread_count + 1
end

local function urlencode(value)
  return (value:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  local path, mode, extra = args[1], args[2], args[3]
  prepared = {}
  for line in io.lines(path) do
    if line ~= "" then
      if mode == "search" then
        prepared[#prepared + 1] = wrk.format("GET", wrk.path .. "?email=" .. urlencode(line) .. "&exact=true",
          { ["Authorization"] = "Bearer " .. extra, ["Accept"] = "application/json" })
      else
        local headers = { ["Content-Type"] = "application/json", ["Origin"] = extra }
        if mode == "post-close" then
          headers["Connection"] = "close"
        end
        prepared[#prepared + 1] = wrk.format("POST", wrk.path, headers, '{"email": "' .. line .. '"}')
      end
    end
  end
  position = (offset or 0) % #prepared
end

function request()
  position = position % #prepared + 1
  return prepared[position]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
