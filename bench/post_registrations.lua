-- wrk script: public registrations, each with a new email address. Args: SLUG [RUN], RUN a
-- word that sets this run's addresses apart from another run's.
-- Prints the count of 2xx answers at the end (wrk's own figures count every answer).

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  tid = tonumber(tid) or 0
  run = args[2] or "r"
  counter = 0
  wrk.method = "POST"
  wrk.path = "/api/v1/events/" .. args[1] .. "/registrations"
  wrk.headers["content-type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name":"Bench %d-%d","email":"bench-%s-%d-%d@example.com","language":"fr","consent":true}',
    tid, counter, run, tid, counter)
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local ok = summary.requests - summary.errors.status
  io.write(string.format("2xx: %d of %d answers, %.1f 2xx/s\n", ok, summary.requests, ok / (summary.duration / 1e6)))
end
