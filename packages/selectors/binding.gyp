{
  "targets": [
    {
      "target_name": "selectors",
      "sources": ["native/addon.cc", "native/errors.cc", "native/fd.cc", "native/poll.cc", "native/socket.cc", "native/watcher.cc"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "10.15"
      },
      "conditions": [
        ["OS=='linux'", {
          "sources": ["native/epoll.cc"],
          "defines": ["SELECTORS_HAVE_EPOLL"]
        }],
        ["OS=='mac' or OS=='freebsd' or OS=='openbsd' or OS=='netbsd'", {
          "sources": ["native/kqueue.cc"],
          "defines": ["SELECTORS_HAVE_KQUEUE"]
        }]
      ]
    }
  ]
}
