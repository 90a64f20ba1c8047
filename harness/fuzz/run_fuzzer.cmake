# cmake -DFUZZER=<binary> -DSECONDS=<n> -DCORPUS=<dir> -DARTIFACTS=<dir> -DSEEDS=<dir|dir...> -P run_fuzzer.cmake
# One short fuzz run: new inputs go to CORPUS (in the build tree), the SEEDS folders are only read.
# Fails when libFuzzer stops on a crash, a leak, a sanitizer report, a slow input or an OOM; the
# input that did it is then in ARTIFACTS.
file(MAKE_DIRECTORY ${CORPUS} ${ARTIFACTS})
string(REPLACE "|" ";" SEEDS "${SEEDS}")
set(seed_dirs "")
foreach(dir ${SEEDS})
  if(IS_DIRECTORY ${dir})
    list(APPEND seed_dirs ${dir})
  endif()
endforeach()
execute_process(
  COMMAND ${FUZZER} -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
          -artifact_prefix=${ARTIFACTS}/ ${CORPUS} ${seed_dirs}
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${FUZZER} stopped with status ${status}: the input is in ${ARTIFACTS}/")
endif()
