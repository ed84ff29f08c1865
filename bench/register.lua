-- POST <url> registrations, a new address on every request (each one
-- queues a verification mail):
--   wrk ... --script register.lua http://127.0.0.1:PORT/users -- PASSWORD

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("thread_id", threads)
end

function init(args)
   password = args[1]
   sent = 0
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
   sent = sent + 1
   local body = string.format("email=bench-%d-%d%%40example.com&password=%s",
      thread_id, sent, password)
   return wrk.format(nil, nil, nil, body)
end
