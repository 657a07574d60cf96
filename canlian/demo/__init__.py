"""The demo: a synthetic city (invented places, one login per role, persons and each app's
workflows) built through the apps' services by `canlian demo`. It imports the apps; none of
them imports it (their tests may). `build.build_demo` is the entry point."""
