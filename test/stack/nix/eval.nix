# Evaluates config/nixos/nsprobe.nix without nixpkgs: a stub `lib` with just the functions the
# module uses (same names and meanings as nixpkgs' lib), a stub `pkgs`, and a config that sets
# services.nsprobe. Prints the option names and the generated service as JSON:
#   nix-instantiate --eval --strict --json test/stack/nix/eval.nix --arg module ./config/nixos/nsprobe.nix
{ module, listenAddress ? "::1", port ? 9115, openFirewall ? true, enableConfigCheck ? false }:
let
  lib = rec {
    mkEnableOption = name: { _type = "option"; type = types.bool; default = false; description = "Whether to enable ${name}."; };
    mkOption = attrs: attrs // { _type = "option"; };
    mkIf = cond: content: { _type = "if"; inherit cond content; };
    literalExpression = text: { _type = "literalExpression"; inherit text; };
    types = {
      bool = "bool"; str = "str"; path = "path"; package = "package"; port = "port";
      listOf = t: "listOf ${t}";
    };
    concatStringsSep = builtins.concatStringsSep;
    hasInfix = infix: s: builtins.match ".*${infix}.*" s != null;
    escapeShellArg = arg: "'${builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString arg)}'";
    escapeShellArgs = args: builtins.concatStringsSep " " (map escapeShellArg args);
  };
  pkgs = {
    nsprobe = "/nix/store/00000000000000000000000000000000-nsprobe";
    coreutils = "/nix/store/00000000000000000000000000000000-coreutils";
    runCommandLocal = name: env: script: "/nix/store/checked-${name}";
  };
  # What the user writes, and the option defaults filled in as the module system would.
  opts = (import module { config = { }; inherit lib pkgs; }).options.services.nsprobe;
  defaults = builtins.mapAttrs (n: o: o.default) (removeAttrs opts [ "configFile" ]);
  cfg = defaults // {
    enable = true;
    configFile = "/etc/nsprobe/blackbox.yml";
    extraFlags = [ "--workers=2" "--log.level=debug" ];
    inherit listenAddress port openFirewall enableConfigCheck;
  };
  evaluated = import module { config = { services.nsprobe = cfg; }; inherit lib pkgs; };
  resolve = x: if builtins.isAttrs x && (x._type or "") == "if" then (if x.cond then x.content else null) else x;
  top = resolve evaluated.config;
in {
  options = builtins.attrNames opts;
  optionTypes = builtins.mapAttrs (n: o: o.type) opts;
  firewall = resolve top.networking.firewall.allowedTCPPorts;
  service = top.systemd.services.nsprobe;
}
