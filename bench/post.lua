-- wrk script for the timed intake runs: POST pre-signed Twilio forms, each thread cycling
-- through its own slice of the file, and count the answers to the posts.
-- args: <file of "signature<TAB>body" lines> <threads> <path>
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local path, nthreads = args[1], tonumber(args[2])
  local target = args[3]
  reqs = {}
  local i = 0
  for line in io.lines(path) do
    if i % nthreads == id then
      local sig, body = line:match("^([^\t]*)\t(.*)$")
      reqs[#reqs + 1] = wrk.format("POST", target, {
        ["X-Twilio-Signature"] = sig,
        ["Content-Type"] = "application/x-www-form-urlencoded",
      }, body)
    end
    i = i + 1
  end
  idx, answered, failed = 0, 0, 0
end

function request()
  idx = idx % #reqs + 1
  return reqs[idx]
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then failed = failed + 1 end
end

function done(summary, latency, requests)
  local answered_all, failed_all = 0, 0
  for _, t in ipairs(threads) do
    answered_all = answered_all + t:get("answered")
    failed_all = failed_all + t:get("failed")
  end
  io.write(string.format("BENCH answered=%d failed=%d duration_us=%d p50_us=%d p99_us=%d\n",
    answered_all, failed_all, summary.duration, latency:percentile(50), latency:percentile(99)))
end
