# octagon_add_bpf_skeleton(NAME SOURCES a.bpf.c b.bpf.c ...)
#   1. compiles each source with clang for the BPF target (CO-RE, -mcpu=v3);
#   2. links the objects with `bpftool gen object` and generates NAME.skel.h;
#   3. exports the INTERFACE target NAME_skel with the skeleton's include directory.
# vmlinux.h is generated once per build tree from the running kernel's BTF: CO-RE relocates
# field accesses at load time, so the header only has to name the types, and generating it
# keeps multi-megabyte generated text out of the repository.

find_program(BPF_CLANG NAMES clang-14 clang REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|amd64")
  set(OCTAGON_BPF_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(OCTAGON_BPF_ARCH arm64)
else()
  message(FATAL_ERROR "Unsupported architecture for BPF: ${CMAKE_SYSTEM_PROCESSOR}")
endif()

set(OCTAGON_VMLINUX_BTF "/sys/kernel/btf/vmlinux" CACHE FILEPATH "BTF used to generate vmlinux.h")
set(OCTAGON_VMLINUX_DIR ${CMAKE_BINARY_DIR}/bpf/include)
set(OCTAGON_VMLINUX_H ${OCTAGON_VMLINUX_DIR}/vmlinux.h)
if(NOT EXISTS ${OCTAGON_VMLINUX_BTF})
  message(FATAL_ERROR "No kernel BTF at ${OCTAGON_VMLINUX_BTF}: Octagon's BPF programs need BTF "
                      "(CONFIG_DEBUG_INFO_BTF=y) to build and run. Set OCTAGON_VMLINUX_BTF to a BTF file.")
endif()
add_custom_command(
  OUTPUT ${OCTAGON_VMLINUX_H}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${OCTAGON_VMLINUX_DIR}
  COMMAND ${BPFTOOL} btf dump file ${OCTAGON_VMLINUX_BTF} format c > ${OCTAGON_VMLINUX_H}.tmp
  COMMAND ${CMAKE_COMMAND} -E rename ${OCTAGON_VMLINUX_H}.tmp ${OCTAGON_VMLINUX_H}
  COMMENT "Generating vmlinux.h from ${OCTAGON_VMLINUX_BTF}"
  VERBATIM)
add_custom_target(octagon_vmlinux_h DEPENDS ${OCTAGON_VMLINUX_H})

function(octagon_add_bpf_skeleton name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  file(GLOB_RECURSE bpf_headers CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bpf/*.h ${CMAKE_SOURCE_DIR}/abi/*.h)
  set(objects)
  set(out_dir ${CMAKE_BINARY_DIR}/bpf/${name})
  foreach(src ${ARG_SOURCES})
    get_filename_component(base ${src} NAME_WE)
    set(obj ${out_dir}/${base}.bpf.o)
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
      COMMAND ${BPF_CLANG} -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_${OCTAGON_BPF_ARCH}
              -Wall -Wno-unused-function
              -I${OCTAGON_VMLINUX_DIR} -I${CMAKE_SOURCE_DIR}/bpf/include -I${CMAKE_SOURCE_DIR}/bpf
              -I${CMAKE_SOURCE_DIR}
              -c ${CMAKE_CURRENT_SOURCE_DIR}/${src} -o ${obj}
      DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${src} ${bpf_headers} octagon_vmlinux_h
      COMMENT "BPF ${src}"
      VERBATIM)
    list(APPEND objects ${obj})
  endforeach()
  set(linked ${out_dir}/${name}.o)
  set(skel ${out_dir}/${name}.skel.h)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen object ${linked} ${objects}
    COMMAND ${BPFTOOL} gen skeleton ${linked} name ${name} > ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${objects}
    COMMENT "BPF skeleton ${name}"
    VERBATIM)
  add_custom_target(${name}_skel_gen DEPENDS ${skel})
  add_dependencies(${name}_skel_gen octagon_vmlinux_h)
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skel_gen)
  target_include_directories(${name}_skel INTERFACE ${out_dir})
endfunction()
