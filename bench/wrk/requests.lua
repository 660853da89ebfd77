-- wrk request generator for the sluice benchmarks.
--   wrk ... -s requests.lua URL -- MODE N
-- MODE: point  GET /trips/{k}, k uniform in 1..N
--       zone   POST /trips/query, 50 rows of one random pickup zone by key
--       range  POST /trips/query, trip_id in [k, k+50): a primary key range
--       scan   POST /trips/count, payment_type = "dispute" (no index: a scan)
--       static GET of the URL as given (the nginx ceiling)
-- done() prints one line "WRKJSON {...}" with counts and latency
-- percentiles in microseconds, which bench/benchkit/httpload.py reads.

local threads = {}
local mode, n
local json_headers = { ["Content-Type"] = "application/json" }

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or "static"
  n = tonumber(args[2] or "1")
  local known = { point = 1, zone = 1, range = 1, scan = 1, static = 1 }
  if not known[mode] then
    error("unknown mode " .. mode .. " (point, zone, range, scan, static)")
  end
  math.randomseed(os.time() * 1000 + tid)
end

function request()
  if mode == "point" then
    return wrk.format("GET", "/trips/" .. math.random(1, n))
  elseif mode == "zone" then
    local body = string.format(
      '{"$filter":{"pickup_zone_id":%d},"$order_by":{"trip_id":"asc"},"$limit":50}',
      math.random(1, 265))
    return wrk.format("POST", "/trips/query", json_headers, body)
  elseif mode == "range" then
    local k = math.random(1, math.max(1, n - 50))
    local body = string.format(
      '{"$filter":{"trip_id":{"$gte":%d,"$lt":%d}},"$limit":50}', k, k + 50)
    return wrk.format("POST", "/trips/query", json_headers, body)
  elseif mode == "scan" then
    return wrk.format("POST", "/trips/count", json_headers,
                      '{"$filter":{"payment_type":"dispute"}}')
  end
  return wrk.format("GET")
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"status_errors":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read,
    e.write, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
end
