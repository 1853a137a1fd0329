# Evaluates package.nix and flake.nix without nixpkgs: a stub `lib` with just the functions they use
# (same names and meanings as nixpkgs' lib), stdenv.mkDerivation returning its argument (plus the
# name nixpkgs derives), dependencies as strings, and a stub nixpkgs flake input. Prints what the
# stack check compares as JSON:
#   nix-instantiate --eval --strict --json test/stack/nix/package-eval.nix --arg repo ./.
{ repo }:
let
  lib = rec {
    hasPrefix = pre: s: builtins.substring 0 (builtins.stringLength pre) s == pre;
    hasSuffix = suf: s:
      let ls = builtins.stringLength s; lf = builtins.stringLength suf;
      in lf <= ls && builtins.substring (ls - lf) lf s == suf;
    removePrefix = pre: s:
      if hasPrefix pre s then builtins.substring (builtins.stringLength pre) (builtins.stringLength s) s else s;
    # nixpkgs' cleanSourceFilter, the parts a checkout meets: VCS dirs, editor and object files,
    # result links.
    cleanSourceFilter = path: type:
      let base = baseNameOf (toString path); in
      !(type == "directory" && builtins.elem base [ ".git" ".svn" "CVS" ".hg" ])
      && !(hasSuffix "~" base || hasSuffix ".o" base || hasSuffix ".so" base)
      && !(type == "symlink" && hasPrefix "result" base);
    cleanSourceWith = { src, filter, name ? "source" }: { _type = "cleanSource"; inherit src filter name; };
    platforms.linux = [ "x86_64-linux" "aarch64-linux" ];
    genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
    mkDefault = content: { _type = "override"; priority = 1000; inherit content; };
    nixosSystem = args: throw "nixosSystem is not stubbed: checks.<system>.nixos-module needs nixpkgs";
  };

  deps = {
    inherit lib;
    stdenv = { mkDerivation = a: a // { name = "${a.pname}-${a.version}"; }; };
    cmake = "cmake"; pkg-config = "pkg-config"; c-ares = "c-ares"; libmicrohttpd = "libmicrohttpd";
    libyaml = "libyaml"; libsodium = "libsodium"; pcre2 = "pcre2"; gnutls = "gnutls"; nettle = "nettle";
    zlib = "zlib"; libxcrypt = "libxcrypt"; cmocka = "cmocka";
  };

  drv = import (repo + "/package.nix") deps;

  # Paths relative to the repository, each with its type, and whether the source filter keeps it.
  probe = rel: type: drv.src.filter (toString repo + "/" + rel) type;
  filterCases = {
    "CMakeLists.txt" = "regular"; "prober" = "directory"; "prober/main.c" = "regular";
    "test/unit/testlib.c" = "regular"; "docs/nsprobe.1" = "regular"; "config/blackbox.yml" = "regular";
    "build" = "directory"; "build-asan" = "directory"; "build-nix/nsprobe" = "regular";
    "test-artifacts" = "directory"; ".git" = "directory"; "result" = "symlink";
    "test/stack/__pycache__" = "directory"; "test/stack/stack.pyc" = "regular";
    "flake.nix" = "regular"; "package.nix" = "regular";
  };

  # flake.nix against a stub nixpkgs input.
  pkgsFor = system: {
    callPackage = f: overrides: import f (deps // overrides);
    stdenv = deps.stdenv // { hostPlatform = { inherit system; }; };
    writeText = name: text: { inherit name text; };
  };
  nixpkgs = {
    inherit lib;
    legacyPackages = lib.genAttrs lib.platforms.linux pkgsFor;
  };
  flakeFile = import (repo + "/flake.nix");
  flake = flakeFile.outputs { self = flake; inherit nixpkgs; };
  flakeModule = flake.nixosModules.default { inherit lib; pkgs = pkgsFor "aarch64-linux"; };

  # The module's package default when nixpkgs has no nsprobe: the repository's package.nix.
  moduleFile = repo + "/config/nixos/nsprobe.nix";
  noNsprobe = { callPackage = f: overrides: "callPackage ${toString f}"; };
  noopLib = lib // {
    mkEnableOption = x: { }; mkOption = x: x; mkIf = c: x: x; literalExpression = x: x;
    types = { bool = 0; str = 0; path = 0; package = 0; port = 0; listOf = t: 0; };
    concatStringsSep = builtins.concatStringsSep; hasInfix = a: b: false;
    escapeShellArg = x: x; escapeShellArgs = x: x;
  };
  moduleDefaultEval = (import moduleFile { config = { }; lib = noopLib; pkgs = noNsprobe; }).options.services.nsprobe.package.default;
in
{
  inherit (drv) name pname version cmakeFlags doCheck checkPhase strictDeps nativeBuildInputs buildInputs checkInputs;
  installPhase = drv.installPhase;
  meta = drv.meta;
  srcName = drv.src.name;
  srcIsRepo = toString drv.src.src == toString repo;
  filter = builtins.mapAttrs probe filterCases;

  flake = {
    description = flakeFile.description;
    inputs = builtins.attrNames flakeFile.inputs;
    nixpkgsUrl = flakeFile.inputs.nixpkgs.url;
    outputs = builtins.attrNames flake;
    packageSystems = builtins.attrNames flake.packages;
    packages = builtins.mapAttrs (s: p: p.default.name) flake.packages;
    checkSystems = builtins.attrNames flake.checks;
    checks = builtins.mapAttrs (s: c: builtins.attrNames c) flake.checks;
    checkDefault = builtins.mapAttrs (s: c: c.default.name) flake.checks;
    overlay = (flake.overlays.default (pkgsFor "x86_64-linux") { }).nsprobe.name;
    moduleImports = map (p: lib.removePrefix (toString repo + "/") (toString p)) flakeModule.imports;
    modulePackage = {
      priority = flakeModule.services.nsprobe.package.priority;
      name = flakeModule.services.nsprobe.package.content.name;
    };
  };

  moduleDefault = lib.removePrefix (toString repo + "/") (builtins.replaceStrings [ "callPackage " ] [ "" ] moduleDefaultEval);
}
