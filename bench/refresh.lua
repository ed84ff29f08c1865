-- POST <url> (the token endpoint) with grant_type=refresh_token, each
-- thread following its own chain of refresh tokens (each answer holds the
-- next one): one connection per thread, so that no token is used twice.
--   wrk -t N -c N ... --script refresh.lua http://127.0.0.1:PORT/token -- CLIENT_ID SECRET TOKEN1 ... TOKENN

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

function init(args)
   client = "client_id=" .. args[1] .. "&client_secret=" .. args[2]
   token = args[2 + index]
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
   return wrk.format(nil, nil, nil,
      client .. "&grant_type=refresh_token&refresh_token=" .. token)
end

function response(status, headers, body)
   local next = body:match('"refresh_token":"([^"]+)"')
   if next then
      token = next
   end
end
