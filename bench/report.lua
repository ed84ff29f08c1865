-- The end of every wrk run of bench/run: instead of wrk's human-readable
-- summary, print one line that bench/run parses:
--
--   bench-result <ok req/s> <p50 ms> <p99 ms> <errors>
--
-- ok req/s counts answers below 400 only, so errors are never mistaken for
-- throughput; errors adds answers of 400 and above to connect, read, write
-- and timeout errors. Latencies come from wrk's histogram (microseconds).
-- Used alone for plain GET loads, and loaded by the other scripts.

local threads = 0

-- Numbers each thread from 1, as `index`: the scripts that give each
-- thread work of its own (a token chain, codes, addresses) read it.
function setup(thread)
   threads = threads + 1
   thread:set("index", threads)
end

function done(summary, latency, requests)
   local errors = summary.errors
   local seconds = summary.duration / 1e6
   print(string.format("bench-result %.2f %.3f %.3f %d",
      (summary.requests - errors.status) / seconds,
      latency:percentile(50) / 1000,
      latency:percentile(99) / 1000,
      errors.status + errors.connect + errors.read + errors.write + errors.timeout))
end
