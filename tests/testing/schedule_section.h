// A "schedule" section of run.json (docs/execution.md) as a Pause and Resume
// run in stop mode writes it: 2 h of work at 300 W in a 6 h window with one
// pause, the numbers of CarbonAwareExecutor's clean-hours test (66 g against
// 180 g had it run at once). The last event's intensity is null (a gap).
// For the record, store and `greenrun runs` tests.
#pragma once

namespace greenrun::testing {

inline constexpr const char* kScheduleSection = R"json({
  "mode": "pause-resume",
  "pause_mode": "stop",
  "request": {"expected_duration_s": 7200.0, "deadline": "2023-01-01T06:00:00Z", "margin_s": 0.0},
  "forecast": {"label": "forecast from the store (test-forecast, issued 2022-12-31T23:00:00Z)", "zone": "DE",
               "origin": "forecast", "signal": "average-lifecycle", "source": "test-forecast"},
  "planned": {"segments": [{"start": "2023-01-01T01:00:00Z", "end": "2023-01-01T02:00:00Z"},
                           {"start": "2023-01-01T03:00:00Z", "end": "2023-01-01T04:00:00Z"}],
              "emissions_g": 22.0, "baseline_g": 60.0},
  "events": [
    {"time": "2023-01-01T00:00:00Z", "event": "wait", "intensity_g_per_kwh": 500.0, "work_done_s": 0.0,
     "note": "waiting for 2023-01-01T01:00:00Z"},
    {"time": "2023-01-01T01:00:00Z", "event": "start", "intensity_g_per_kwh": 100.0, "work_done_s": 0.0,
     "note": "running until 2023-01-01T02:00:00Z"},
    {"time": "2023-01-01T02:00:00Z", "event": "pause", "intensity_g_per_kwh": 400.0, "work_done_s": 3600.0,
     "note": "paused until 2023-01-01T03:00:00Z (SIGSTOP to process group 4242)"},
    {"time": "2023-01-01T03:00:00Z", "event": "resume", "intensity_g_per_kwh": 120.0, "work_done_s": 3600.0,
     "note": "running until 2023-01-01T04:00:00Z"},
    {"time": "2023-01-01T04:00:00Z", "event": "exit", "intensity_g_per_kwh": null, "work_done_s": 7200.0,
     "note": "the job exited with status 0"}
  ],
  "segments": [
    {"start": "2023-01-01T01:00:00Z", "end": "2023-01-01T02:00:00Z", "state": "running", "job_energy_j": 1080000.0},
    {"start": "2023-01-01T02:00:00Z", "end": "2023-01-01T03:00:00Z", "state": "paused", "job_energy_j": 0.0},
    {"start": "2023-01-01T03:00:00Z", "end": "2023-01-01T04:00:00Z", "state": "running", "job_energy_j": 1080000.0}
  ],
  "began": "2023-01-01T00:00:00Z",
  "ended": "2023-01-01T04:00:00Z",
  "run_time_s": 7200.0,
  "waited_s": 3600.0,
  "paused_s": 3600.0,
  "time_added_s": 7200.0,
  "emissions_g": 66.0,
  "at_once_g": 180.0,
  "saving_g": 114.0,
  "emissions_note": "job energy x the schedule's intensity series, on the executor's clock",
  "coverage": 1.0,
  "deadline_met": true,
  "guard_engaged": false,
  "replans": 1,
  "interrupted": false,
  "warnings": []
})json";

}  // namespace greenrun::testing
