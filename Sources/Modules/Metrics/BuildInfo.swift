/// The version this build carries (`commerce_build_info`); scripts/deb.sh refuses to package
/// a build whose version differs from deploy/debian/changelog's.
public enum BuildInfo {
    public static let version = "0.10.0"
}
