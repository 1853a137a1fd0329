# nsprobe for Nix: `pkgs.callPackage ./package.nix { }` (flake.nix does this for packages.default).
# Built with nixpkgs' own flags: NSPROBE_WERROR stays off, so a warning from a newer compiler is not
# a failed package. checkPhase runs only the unit tests (ctest unit/...): they need no network, no
# knotd and no Python; the live suites (integration, web, dnssec, stack, compat) run in scripts/test.
{ lib
, stdenv
, cmake
, pkg-config
, c-ares
, libmicrohttpd
, libyaml
, libsodium
, pcre2
, gnutls
, nettle
, zlib
, libxcrypt
, cmocka
}:

let
  root = toString ./.;

  # The version is CMakeLists.txt's `project(nsprobe VERSION x.y.z ...)`, read line by line.
  cmakeLines = builtins.filter builtins.isString (builtins.split "\n" (builtins.readFile ./CMakeLists.txt));
  versions = builtins.filter (m: m != null)
    (map (builtins.match "project\\(nsprobe VERSION ([0-9.]+).*") cmakeLines);
  version = if versions == [ ] then throw "package.nix: no project(nsprobe VERSION ...) in CMakeLists.txt"
    else builtins.head (builtins.head versions);

  # The sources without what a checkout accumulates: build trees (build/, build-asan/, ...), test
  # artifacts, Nix result links, Python caches, packaging for other systems, and the Nix files
  # themselves (editing them should not rebuild nsprobe).
  keep = path: type:
    let
      rel = lib.removePrefix (root + "/") (toString path);
      top = builtins.head (builtins.split "/" rel);
      base = baseNameOf rel;
    in
    lib.cleanSourceFilter path type
    && !(lib.hasPrefix "build" top)
    && !(lib.hasPrefix "result" top)
    && !(builtins.elem top [ "test-artifacts" ".ci" "debian" "package.nix" "flake.nix" "flake.lock" ])
    && base != "__pycache__"
    && !(lib.hasSuffix ".pyc" base);
in
stdenv.mkDerivation {
  pname = "nsprobe";
  inherit version;

  src = lib.cleanSourceWith {
    name = "nsprobe-source";
    src = ./.;
    filter = keep;
  };

  strictDeps = true;
  nativeBuildInputs = [ cmake pkg-config ];
  buildInputs = [ c-ares libmicrohttpd libyaml libsodium pcre2 gnutls nettle zlib libxcrypt ];
  # cmocka is found by pkg-config when the tests are configured (NSPROBE_TESTS).
  checkInputs = [ cmocka ];

  cmakeFlags = [
    "-DNSPROBE_WERROR=OFF"
    "-DNSPROBE_TESTS=ON"
  ];

  doCheck = true;
  # The unit tests have no ctest label: they are the tests named unit/<folder>/test_<room>.
  checkPhase = ''
    runHook preCheck
    ctest --output-on-failure -j $NIX_BUILD_CORES -R '^unit/'
    runHook postCheck
  '';

  # CMakeLists.txt has no install() rules: the binary, its man page and the example configs and
  # service files are installed here. The build runs in build/ under the sources (cmakeDir = ..).
  installPhase = ''
    runHook preInstall
    install -Dm755 nsprobe $out/bin/nsprobe
    install -Dm644 ../docs/nsprobe.1 $out/share/man/man1/nsprobe.1
    install -Dm644 -t $out/share/doc/nsprobe/examples ../config/blackbox.yml ../config/blackbox-two-servers.yml
    install -Dm644 -t $out/share/doc/nsprobe/systemd ../config/systemd/*
    install -Dm644 -t $out/share/doc/nsprobe/nixos ../config/nixos/nsprobe.nix
    runHook postInstall
  '';

  meta = {
    description = "DNS prober that drops in for Prometheus' blackbox_exporter (same blackbox.yml, /probe URL and metrics)";
    # The repository has no LICENSE file yet, so no meta.license is claimed here.
    platforms = lib.platforms.linux;
    mainProgram = "nsprobe";
  };
}
