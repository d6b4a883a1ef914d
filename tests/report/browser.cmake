# The HTML report in a real headless Chromium (tests/report/browser_report_test.py):
# Debian's python3 (python3-selenium is installed for it), chromium, chromium-driver.
find_program(GREENRUN_SYSTEM_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT GREENRUN_SYSTEM_PYTHON)
  find_program(GREENRUN_SYSTEM_PYTHON python3)
endif()
add_test(NAME report.browser
         COMMAND ${GREENRUN_SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/browser_report_test.py)
set_tests_properties(report.browser PROPERTIES
  ENVIRONMENT "GREENRUN_CLI=$<TARGET_FILE:greenrun>;GREENRUN_SHARED_DATA=${GREENRUN_SHARED_DATA}"
  SKIP_RETURN_CODE 77 TIMEOUT 600)

# The dashboard of `greenrun serve` (tests/report/browser_dashboard_test.py): a
# real server on a free loopback port, a real carbon-aware run waiting in
# another process, the page in a real headless Chromium.
add_test(NAME report.browser_dashboard
         COMMAND ${GREENRUN_SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/browser_dashboard_test.py)
set_tests_properties(report.browser_dashboard PROPERTIES
  ENVIRONMENT "GREENRUN_CLI=$<TARGET_FILE:greenrun>;GREENRUN_SHARED_DATA=${GREENRUN_SHARED_DATA}"
  SKIP_RETURN_CODE 77 TIMEOUT 600)
