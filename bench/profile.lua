-- GET <url> with a session cookie:
--   wrk ... --script profile.lua http://127.0.0.1:PORT/profile -- 'session_id=...'
-- The cookie is passed back verbatim, as the server set it.

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

function init(args)
   wrk.headers["Cookie"] = args[1]
end
