# Baseline ISA (x86-64 / armv8-a) for the whole addon, so a prebuild runs on any CPU of its
# architecture; wider ISAs are enabled per function with target attributes and picked at
# run time (cpu.cc), so no file needs -mavx2/-mavx512*.
{
  "targets": [
    {
      "target_name": "trident_native",
      "sources": [
        "addon.cc",
        "cpu.cc",
        "convert.cc",
        "mmap.cc",
        "hnsw.cc",
        "analyze.cc",
        "kernels_serial.cc",
        "kernels_avx2.cc",
        "kernels_avx512.cc",
        "kernels_neon.cc",
        "kernels_codes.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-std=gnu++14", "-std=gnu++17"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-fno-math-errno", "-ffp-contract=off"],
      "conditions": [
        ["OS!='win' and OS!='mac' and target_arch=='x64'", {
          "cflags_cc": ["-march=x86-64", "-mtune=generic"]
        }],
        ["OS!='win' and OS!='mac' and target_arch=='arm64'", {
          "cflags_cc": ["-march=armv8-a"]
        }]
      ],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "NO",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-fno-math-errno", "-ffp-contract=off"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 0 } }
    }
  ]
}
