-- POST <url> (the token endpoint) with grant_type=authorization_code, each
-- request redeeming a code of its own from a file (seed_codes.py's), each
-- thread taking every THREADS-th line from its own.
--   wrk -t THREADS -c THREADS ... --script code.lua http://127.0.0.1:PORT/token -- CLIENT_ID SECRET CODES_FILE THREADS

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

function init(args)
   client = "client_id=" .. args[1] .. "&client_secret=" .. args[2]
      .. "&grant_type=authorization_code&redirect_uri=https%3A%2F%2Fbench.example%2Fcb"
   local stride, line = tonumber(args[4]), 0
   codes, next_code = {}, 1
   for code in io.lines(args[3]) do
      line = line + 1
      if (line - index) % stride == 0 then
         codes[#codes + 1] = code
      end
   end
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
   local code = codes[next_code] or "all-codes-spent"
   next_code = next_code + 1
   return wrk.format(nil, nil, nil, client .. "&code=" .. code)
end
