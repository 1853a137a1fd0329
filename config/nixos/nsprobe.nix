# NixOS module for nsprobe, the blackbox_exporter-compatible DNS prober: services.nsprobe.
# Its options mirror services.prometheus.exporters.blackbox (enable, package, port,
# listenAddress, configFile, extraFlags, openFirewall, enableConfigCheck), so moving from
# blackbox_exporter means renaming the attribute path. The service is hardened like
# config/systemd/nsprobe.service.
#
# From a checkout of this repository (paths relative to its root; nixpkgs has no nsprobe yet):
#
#   imports = [ ./config/nixos/nsprobe.nix ];
#   services.nsprobe = {
#     enable = true;
#     package = pkgs.callPackage ./package.nix { };   # the default when this file sits in a checkout
#     listenAddress = "127.0.0.1";
#     configFile = ./config/blackbox-two-servers.yml;
#     extraFlags = [ "--workers=2" ];
#   };
#
# From the flake (flake.nix): imports = [ nsprobe.nixosModules.default ]; sets the package for you.
{ config, lib, pkgs, ... }:

let
  cfg = config.services.nsprobe;
  inherit (lib) mkEnableOption mkOption mkIf types literalExpression escapeShellArg
    escapeShellArgs concatStringsSep hasInfix;

  # As the blackbox exporter module does: run --config.check at build time, so that a broken
  # config fails `nixos-rebuild` instead of the service.
  checkConfig = file: pkgs.runCommandLocal "nsprobe-config.yml" { } ''
    ln -s ${file} $out
    ${cfg.package}/bin/nsprobe --config.check --config.file=${file}
  '';

  configFile = if cfg.enableConfigCheck then checkConfig cfg.configFile else cfg.configFile;

  # An IPv6 address goes in brackets: --web.listen-address=[::1]:9115.
  listen = if hasInfix ":" cfg.listenAddress
    then "[${cfg.listenAddress}]:${toString cfg.port}"
    else "${cfg.listenAddress}:${toString cfg.port}";
in
{
  options.services.nsprobe = {
    enable = mkEnableOption "nsprobe, the blackbox_exporter-compatible DNS prober";

    package = mkOption {
      type = types.package;
      # pkgs.nsprobe (nixpkgs, or flake.nix's overlay), else the repository's package.nix when
      # this file sits in a checkout (config/nixos/ → ../../package.nix).
      default = pkgs.nsprobe or (if builtins.pathExists ../../package.nix
        then pkgs.callPackage ../../package.nix { }
        else throw "services.nsprobe.package: nixpkgs has no nsprobe; set this option to a build of it (package.nix)");
      defaultText = literalExpression "pkgs.nsprobe or (pkgs.callPackage ./package.nix { })";
      description = "The nsprobe package to run.";
    };

    port = mkOption {
      type = types.port;
      default = 9115;
      description = "Port to listen on.";
    };

    listenAddress = mkOption {
      type = types.str;
      default = "0.0.0.0";
      example = "127.0.0.1";
      description = "Address to listen on (an IPv6 address without brackets).";
    };

    configFile = mkOption {
      type = types.path;
      description = "The blackbox.yml: a blackbox_exporter 0.23 configuration.";
    };

    extraFlags = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "--workers=2" "--log.level=debug" "--target.resolver=127.0.0.1:53" ];
      description = "Extra command-line flags (see nsprobe(1)).";
    };

    openFirewall = mkOption {
      type = types.bool;
      default = false;
      description = "Open the port in the firewall.";
    };

    enableConfigCheck = mkOption {
      type = types.bool;
      default = true;
      description = "Check the config with nsprobe --config.check when the system is built.";
    };
  };

  config = mkIf cfg.enable {
    networking.firewall.allowedTCPPorts = mkIf cfg.openFirewall [ cfg.port ];

    systemd.services.nsprobe = {
      description = "nsprobe DNS prober (blackbox_exporter-compatible)";
      documentation = [ "man:nsprobe(1)" ];
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];
      serviceConfig = {
        ExecStart = concatStringsSep " " ([
          "${cfg.package}/bin/nsprobe"
          "--config.file=${escapeShellArg configFile}"
          "--web.listen-address=${escapeShellArg listen}"
        ] ++ map escapeShellArg cfg.extraFlags);
        ExecReload = "${pkgs.coreutils}/bin/kill -HUP $MAINPID";
        Restart = "on-failure";
        RestartSec = "5s";
        TimeoutStopSec = "30s";

        DynamicUser = true;
        UMask = "0077";
        CapabilityBoundingSet = if cfg.port < 1024 then [ "CAP_NET_BIND_SERVICE" ] else [ "" ];
        AmbientCapabilities = if cfg.port < 1024 then [ "CAP_NET_BIND_SERVICE" ] else [ "" ];
        NoNewPrivileges = true;
        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        PrivateDevices = true;
        PrivateUsers = cfg.port >= 1024;
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        ProtectClock = true;
        ProtectHostname = true;
        ProtectProc = "invisible";
        ProcSubset = "pid";
        RemoveIPC = true;
        RestrictNamespaces = true;
        RestrictRealtime = true;
        RestrictSUIDSGID = true;
        LockPersonality = true;
        MemoryDenyWriteExecute = true;
        RestrictAddressFamilies = [ "AF_INET" "AF_INET6" "AF_UNIX" "AF_NETLINK" ];
        SystemCallArchitectures = "native";
        SystemCallFilter = [ "@system-service" "~@privileged @resources" ];
        SystemCallErrorNumber = "EPERM";
        DevicePolicy = "closed";
        KeyringMode = "private";
        # As config/systemd/nsprobe.service: each worker's connection budget comes from it.
        LimitNOFILE = 65536;
      };
    };
  };
}
