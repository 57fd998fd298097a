-- wrk script: creates sessions on the bench event, each in a free room and 5-minute slot, so
-- that every write can succeed. Args: TOKEN SLUG FIRST_ROOM_ID ROOMS THREADS.
-- Prints the count of 2xx answers at the end (wrk's own figures count every answer).

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  token, slug = args[1], args[2]
  first_room, rooms, nthreads = tonumber(args[3]), tonumber(args[4]), tonumber(args[5])
  tid = tonumber(tid) or 0
  counter = 0
  wrk.method = "POST"
  wrk.path = "/api/v1/events/" .. slug .. "/sessions"
  wrk.headers["authorization"] = "Bearer " .. token
  wrk.headers["content-type"] = "application/json"
end

function request()
  local n = counter * nthreads + tid
  counter = counter + 1
  local room = first_room + (n % rooms)
  local slot = math.floor(n / rooms)          -- 5-minute slots, 287 a day
  local day = math.floor(slot / 287)
  local minute = (slot % 287) * 5
  local t0 = string.format("2030-01-%02dT%02d:%02d:00Z", day + 1, math.floor(minute / 60), minute % 60)
  local m1 = minute + 5
  local t1 = string.format("2030-01-%02dT%02d:%02d:00Z", day + 1, math.floor(m1 / 60), m1 % 60)
  local body = string.format(
    '{"title":"Bench %d","kind":"seminar","language":"en","room_id":%d,"starts_at":"%s","ends_at":"%s"}',
    n, room, t0, t1)
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local ok = summary.requests - summary.errors.status
  io.write(string.format("2xx: %d of %d answers, %.1f 2xx/s\n", ok, summary.requests, ok / (summary.duration / 1e6)))
end
