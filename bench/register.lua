-- POST <url> registrations, a new address on every request (each one
-- queues a verification mail):
--   wrk ... --script register.lua http://127.0.0.1:PORT/users -- PASSWORD [many]
-- With "many", each request also comes from a client address of its own
-- (X-Forwarded-For, which a server trusting 127.0.0.1 as its proxy reads),
-- so that no per-address limit holds the registrations back: a flood.

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

function init(args)
   password = args[1]
   many = args[2] == "many"
   sent = 0
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
   sent = sent + 1
   local body = string.format("email=bench-%d-%d%%40example.com&password=%s",
      index, sent, password)
   if not many then
      return wrk.format(nil, nil, nil, body)
   end
   -- 198.18.0.0/15, the range set aside for benchmarks (RFC 2544).
   local headers = {
      ["Content-Type"] = wrk.headers["Content-Type"],
      ["X-Forwarded-For"] = string.format("198.%d.%d.%d", 18 + index % 2,
         math.floor(sent / 256) % 256, sent % 256),
   }
   return wrk.format(nil, nil, headers, body)
end
