# nncConfig.cmake — find_package(nnc) for an installed nnc:
#   nnc::nnc       the compiler (an imported executable of the build machine;
#                  set NNC_EXECUTABLE to use another one)
#   nnc::runtime   the runtime, compiled from the installed sources by this
#                  project's own toolchain, so cross builds work
#   nnc::pool      the optional thread pool for P_run_parallel (nnc_pool.h),
#                  compiled likewise; links the platform's threads
#   nnc_add_model()  see NncAddModel.cmake
# Everything is found relative to this file, so the prefix can move.
get_filename_component(_nnc_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(NOT TARGET nnc::nnc)
  add_executable(nnc::nnc IMPORTED GLOBAL)
  if(NNC_EXECUTABLE)
    set_target_properties(nnc::nnc PROPERTIES IMPORTED_LOCATION "${NNC_EXECUTABLE}")
  else()
    set_target_properties(nnc::nnc PROPERTIES IMPORTED_LOCATION "${_nnc_prefix}/bin/nnc")
  endif()
endif()

if(NOT TARGET nnc::runtime)
  add_library(nnc_runtime STATIC "${_nnc_prefix}/share/nnc/runtime/nnc_runtime.c")
  target_include_directories(nnc_runtime PUBLIC "${_nnc_prefix}/include/nnc")
  set_target_properties(nnc_runtime PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON
                        POSITION_INDEPENDENT_CODE ON)
  if(UNIX)
    target_link_libraries(nnc_runtime PUBLIC m)
  endif()
  add_library(nnc::runtime ALIAS nnc_runtime)
endif()

if(NOT TARGET nnc::pool)
  find_package(Threads REQUIRED)
  add_library(nnc_pool STATIC "${_nnc_prefix}/share/nnc/runtime/nnc_pool.c")
  target_include_directories(nnc_pool PUBLIC "${_nnc_prefix}/include/nnc")
  set_target_properties(nnc_pool PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON
                        POSITION_INDEPENDENT_CODE ON)
  target_link_libraries(nnc_pool PUBLIC Threads::Threads)
  add_library(nnc::pool ALIAS nnc_pool)
endif()

include("${CMAKE_CURRENT_LIST_DIR}/NncAddModel.cmake")
set(nnc_FOUND TRUE)
unset(_nnc_prefix)
