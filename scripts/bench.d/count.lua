-- count.lua -- wrk script for scripts/bench: counts answers that carry `probe_success 1`.
-- Each wrk thread has its own Lua state; done() sums the per-thread counters.
local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	ok, bad = 0, 0
end

function response(status, headers, body)
	if status == 200 and body:find("\nprobe_success 1\n", 1, true) then
		ok = ok + 1
	else
		bad = bad + 1
	end
end

function done(summary, latency, requests)
	local o, b = 0, 0
	for _, t in ipairs(threads) do
		o = o + t:get("ok")
		b = b + t:get("bad")
	end
	io.write(string.format("probe_success_1 %d other %d\n", o, b))
end
