-- POST <url> with a urlencoded form, the same fields on every request:
--   wrk ... --script form.lua http://127.0.0.1:PORT/sessions -- email E password P

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

-- application/x-www-form-urlencoded escaping of one value.
function form_escape(value)
   return (value:gsub("[^%w%-%._~]", function(char)
      return string.format("%%%02X", char:byte())
   end))
end

function init(args)
   local fields = {}
   for i = 1, #args, 2 do
      fields[#fields + 1] = args[i] .. "=" .. form_escape(args[i + 1])
   end
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   wrk.body = table.concat(fields, "&")
end
