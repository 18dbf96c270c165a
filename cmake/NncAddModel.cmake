# NncAddModel.cmake — nnc_add_model(): compile an ONNX model to C at build
# time and wrap the generated file in a static library.
#
#   nnc_add_model(<target> MODEL <file>
#                 [PREFIX p] [ISA generic|avx2|avx512|neon|native] [OPT n]
#                 [SHAPE name=d0,d1,... ...] [FREEZE name=file.pb ...]
#                 [WEIGHTS c|incbin] [SELFTEST <test_data_set dir>]
#                 [OPTIONS <more nnc arguments> ...])
#
# Creates the static library <target> holding <p>.c (p defaults to <target>
# as a C identifier), whose include directory has <p>.h and which links
# nnc::runtime. The host's nnc (nnc::nnc) generates; the product's compiler
# (cross or not) compiles. The file is regenerated when the model, a FREEZE
# file, the nnc binary or the arguments change, and only then. Relative
# paths are relative to the calling CMakeLists.txt; nnc runs in that
# directory and gets the paths as written, so the generated comment names
# the model as you wrote it (no absolute build-machine paths). ISA native
# means the build machine's best ISA, so a cross build rejects it.
# WEIGHTS incbin keeps the constants out of the C file (nnc --weights incbin:
# <p>.bin, assembled in by <p>_weights.S), so a large model compiles fast;
# it is the default for model files above NNC_INCBIN_THRESHOLD bytes (16 MB)
# when the project has enabled ASM (project(... C ASM)).
# SELFTEST <dir> embeds the folder's input_K.pb / output_K.pb (nnc
# --selftest) and adds <p>_selftest() to the library; the files are
# dependencies too.
include_guard(GLOBAL)

function(nnc_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 NAM "" "MODEL;PREFIX;ISA;OPT;WEIGHTS;SELFTEST" "SHAPE;FREEZE;OPTIONS")
  if(NAM_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "nnc_add_model(${target}): unexpected arguments: ${NAM_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT NAM_MODEL)
    message(FATAL_ERROR "nnc_add_model(${target}): MODEL <file> is required")
  endif()
  if(NOT TARGET nnc::nnc)
    message(FATAL_ERROR "nnc_add_model(${target}): no nnc::nnc target (find_package(nnc) or add_subdirectory(nnc) first)")
  endif()
  if(NOT NAM_PREFIX)
    string(MAKE_C_IDENTIFIER "${target}" NAM_PREFIX)
  endif()
  if(NAM_ISA STREQUAL "native" AND CMAKE_CROSSCOMPILING)
    message(FATAL_ERROR "nnc_add_model(${target}): ISA native names the build machine's ISA; "
                        "a cross build needs generic, avx2, avx512 or neon")
  endif()

  set(src_dir "${CMAKE_CURRENT_SOURCE_DIR}")
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/nnc_${target}")
  set(out_c "${out_dir}/${NAM_PREFIX}.c")
  set(out_h "${out_dir}/${NAM_PREFIX}.h")
  get_filename_component(model_abs "${NAM_MODEL}" ABSOLUTE BASE_DIR "${src_dir}")
  set(args "${NAM_MODEL}" -o "${out_c}" --prefix "${NAM_PREFIX}")
  set(deps "${model_abs}")
  if(NAM_ISA)
    list(APPEND args --target "${NAM_ISA}")
  endif()
  if(NOT "${NAM_OPT}" STREQUAL "")
    list(APPEND args --opt "${NAM_OPT}")
  endif()
  foreach(s IN LISTS NAM_SHAPE)
    list(APPEND args --shape "${s}")
  endforeach()
  foreach(f IN LISTS NAM_FREEZE)
    if(NOT f MATCHES "^([^=]+)=(.+)$")
      message(FATAL_ERROR "nnc_add_model(${target}): FREEZE '${f}' is not name=file.pb")
    endif()
    get_filename_component(pb "${CMAKE_MATCH_2}" ABSOLUTE BASE_DIR "${src_dir}")
    list(APPEND deps "${pb}")
    list(APPEND args --freeze "${f}")
  endforeach()
  if(NAM_SELFTEST)
    get_filename_component(st_dir "${NAM_SELFTEST}" ABSOLUTE BASE_DIR "${src_dir}")
    file(GLOB st_files "${st_dir}/input_*.pb" "${st_dir}/output_*.pb")
    if(NOT st_files)
      message(FATAL_ERROR "nnc_add_model(${target}): SELFTEST '${NAM_SELFTEST}' holds no input_K.pb / output_K.pb")
    endif()
    list(APPEND deps ${st_files})
    list(APPEND args --selftest "${NAM_SELFTEST}")
  endif()
  get_property(langs GLOBAL PROPERTY ENABLED_LANGUAGES)
  if(NOT NAM_WEIGHTS)
    file(SIZE "${model_abs}" model_bytes)
    if(NOT DEFINED NNC_INCBIN_THRESHOLD)
      set(NNC_INCBIN_THRESHOLD 16777216)
    endif()
    set(NAM_WEIGHTS c)
    if(model_bytes GREATER NNC_INCBIN_THRESHOLD AND "ASM" IN_LIST langs)
      set(NAM_WEIGHTS incbin)
    endif()
  endif()
  set(extra_sources "")
  if(NAM_WEIGHTS STREQUAL "incbin")
    if(NOT "ASM" IN_LIST langs)
      message(FATAL_ERROR "nnc_add_model(${target}): WEIGHTS incbin needs ASM: project(... C ASM)")
    endif()
    list(APPEND args --weights incbin)
    set(extra_sources "${out_dir}/${NAM_PREFIX}.bin" "${out_dir}/${NAM_PREFIX}_weights.S")
  elseif(NOT NAM_WEIGHTS STREQUAL "c")
    message(FATAL_ERROR "nnc_add_model(${target}): WEIGHTS takes c or incbin, not '${NAM_WEIGHTS}'")
  endif()
  list(APPEND args ${NAM_OPTIONS})

  # The arguments as a file that changes only when they do: a dependency, so
  # changed options regenerate under every generator (Makefiles included).
  set(args_file "${out_dir}/${NAM_PREFIX}.nnc-args")
  string(REPLACE ";" "\n" args_text "${args}")
  file(CONFIGURE OUTPUT "${args_file}" CONTENT "${args_text}\n" @ONLY)

  add_custom_command(
    OUTPUT "${out_c}" "${out_h}" ${extra_sources}
    COMMAND nnc::nnc ${args}
    DEPENDS ${deps} "${args_file}" nnc::nnc "$<TARGET_FILE:nnc::nnc>"
    WORKING_DIRECTORY "${src_dir}"
    COMMENT "nnc ${NAM_MODEL} -> ${NAM_PREFIX}.c"
    VERBATIM)
  add_library(${target} STATIC "${out_c}" "${out_h}" ${extra_sources})
  if(extra_sources) # .incbin finds <p>.bin through the include path; rebuild when it changes
    set_source_files_properties("${out_dir}/${NAM_PREFIX}_weights.S" PROPERTIES
      OBJECT_DEPENDS "${out_dir}/${NAM_PREFIX}.bin")
  endif()
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${out_dir}>")
  target_link_libraries(${target} PUBLIC nnc::runtime)
  set_target_properties(${target} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
                        POSITION_INDEPENDENT_CODE ON)
endfunction()
