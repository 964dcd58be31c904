-- wrk script: form submissions, each with a new email (new contacts, not merges).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  n = n + 1
  local body = "_form=form&name=%E5%B1%B1%E7%94%B0&email=t" .. tid .. "-" .. n .. "%40example.com"
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["User-Agent"] = "Mozilla/5.0 bench",
  }, body)
end
