# Compiles each public header (include/greenrun/**/*.h: the engine's API and
# the value types the libraries below it make public) alone, with only
# include/ on the include path (plus the compiler's system includes): a
# front end may include any of them and nothing under src/.
#
# Headers not yet self-contained (they still carry value types from src/:
# docs/ARCHITECTURE.md, "What a front end may include") are listed in
# KNOWN_NOT_SELF_CONTAINED. The check fails when a header outside the list
# does not compile alone (a regression, or a new header that reaches into
# src/), and when a listed header now compiles alone (take it off the list,
# so that it cannot regress unseen).
#
# Run by ctest (tests/CMakeLists.txt, PublicHeaders.EachCompilesAloneWithOnlyInclude):
#   cmake -DCXX=... -DINCLUDE_DIR=... -DWORK_DIR=... -DKNOWN_NOT_SELF_CONTAINED="a.h;b.h" -P this file
cmake_minimum_required(VERSION 3.20)
foreach(var CXX INCLUDE_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_self_contained.cmake: -D${var}=... is required")
  endif()
endforeach()

file(GLOB_RECURSE headers RELATIVE ${INCLUDE_DIR}/greenrun ${INCLUDE_DIR}/greenrun/*.h)
list(SORT headers)
file(MAKE_DIRECTORY ${WORK_DIR})
set(regressed "")
set(now_contained "")
set(passed 0)
foreach(h IN LISTS headers)
  string(REPLACE "/" "_" tu_name ${h})
  set(tu ${WORK_DIR}/${tu_name}.cc)
  file(WRITE ${tu} "#include \"greenrun/${h}\"\n")
  execute_process(
    COMMAND ${CXX} -std=c++23 -fsyntax-only -I${INCLUDE_DIR} ${tu}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  list(FIND KNOWN_NOT_SELF_CONTAINED ${h} listed)
  if(rc EQUAL 0)
    math(EXPR passed "${passed} + 1")
    if(NOT listed EQUAL -1)
      list(APPEND now_contained ${h})
    endif()
  elseif(listed EQUAL -1)
    string(REGEX MATCH "[^\n]*error[^\n]*" first_error "${err}")
    list(APPEND regressed "${h}: ${first_error}")
  endif()
endforeach()

list(LENGTH headers total)
message(STATUS "public headers self-contained: ${passed} of ${total}")
foreach(h IN LISTS KNOWN_NOT_SELF_CONTAINED)
  if(NOT EXISTS ${INCLUDE_DIR}/greenrun/${h})
    message(SEND_ERROR "KNOWN_NOT_SELF_CONTAINED names greenrun/${h}, which does not exist: take it off the list")
  endif()
endforeach()
foreach(line IN LISTS regressed)
  message(SEND_ERROR "not self-contained with only include/ on the path: greenrun/${line}")
endforeach()
foreach(h IN LISTS now_contained)
  message(SEND_ERROR "greenrun/${h} now compiles alone: take it off KNOWN_NOT_SELF_CONTAINED (tests/CMakeLists.txt)")
endforeach()
