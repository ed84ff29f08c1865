-- POST <url> with a form login, the same credentials on every request:
--   wrk ... --script login.lua http://127.0.0.1:PORT/sessions -- EMAIL PASSWORD

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

-- application/x-www-form-urlencoded escaping of one value.
local function form_escape(value)
   return (value:gsub("[^%w%-%._~]", function(char)
      return string.format("%%%02X", char:byte())
   end))
end

function init(args)
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   wrk.body = "email=" .. form_escape(args[1]) .. "&password=" .. form_escape(args[2])
end
