# nsprobe as a flake: packages.default (package.nix), overlays.default (pkgs.nsprobe),
# nixosModules.default (config/nixos/nsprobe.nix, its `package` defaulting to this flake's build) and
# checks (the package, whose checkPhase runs the unit tests, and an evaluation of the module).
#
# No flake.lock is committed: it cannot be generated without network access to nixpkgs. The first
# `nix build` or `nix flake lock` writes one.
{
  description = "nsprobe: a DNS prober that drops in for Prometheus' blackbox_exporter";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (system: pkgs: {
        default = pkgs.callPackage ./package.nix { };
        nsprobe = self.packages.${system}.default;
      });

      overlays.default = final: prev: {
        nsprobe = final.callPackage ./package.nix { };
      };

      # The module as shipped, with services.nsprobe.package defaulting to this flake's build for the
      # machine's system (a user's own setting still wins: mkDefault).
      nixosModules.default = { lib, pkgs, ... }: {
        imports = [ ./config/nixos/nsprobe.nix ];
        services.nsprobe.package = lib.mkDefault
          (self.packages.${pkgs.stdenv.hostPlatform.system}.default or (pkgs.callPackage ./package.nix { }));
      };

      checks = forAllSystems (system: pkgs: {
        default = self.packages.${system}.default;

        # Evaluated only: a NixOS system with the module enabled must evaluate, and its ExecStart is
        # written out without building nsprobe (the string's context is dropped).
        nixos-module = let
          machine = nixpkgs.lib.nixosSystem {
            modules = [
              self.nixosModules.default
              {
                nixpkgs.hostPlatform = system;
                boot.isContainer = true;
                system.stateVersion = "24.11";
                services.nsprobe = {
                  enable = true;
                  listenAddress = "127.0.0.1";
                  configFile = ./config/blackbox.yml;
                  enableConfigCheck = false;
                };
              }
            ];
          };
          execStart = machine.config.systemd.services.nsprobe.serviceConfig.ExecStart;
        in
        pkgs.writeText "nsprobe-nixos-module-eval" (builtins.unsafeDiscardStringContext execStart);
      });
    };
}
