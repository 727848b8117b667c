import HTTP

/// Request bodies of the auth routes, read strictly (unknown fields are 400).
struct RegisterInput {
    let email: String
    let password: String
    let firstName: String
    let lastName: String

    init(_ request: Request) throws(APIError) {
        var body = try ObjectReader(request.body)
        let email = body.email("email")
        let password = body.password("password")
        let firstName = body.name("firstName")
        let lastName = body.name("lastName")
        try body.finish()
        self.email = email!
        self.password = password!
        self.firstName = firstName!
        self.lastName = lastName!
    }
}

struct LoginInput {
    let email: String
    let password: String

    init(_ request: Request) throws(APIError) {
        var body = try ObjectReader(request.body)
        let email = body.email("email")
        // No length policy on login: a wrong password of any length is just wrong.
        let password = body.string("password", minLength: 1, maxLength: PasswordPolicy.maxLength)
        try body.finish()
        self.email = email!
        self.password = password!
    }
}

struct RefreshInput {
    let refreshToken: String

    init(_ request: Request) throws(APIError) {
        var body = try ObjectReader(request.body)
        let token = body.string("refreshToken", minLength: 1, maxLength: 4096)
        try body.finish()
        refreshToken = token!
    }
}

struct LogoutInput {
    let allSessions: Bool

    init(_ request: Request) throws(APIError) {
        guard !request.body.isEmpty else { allSessions = false; return }
        var body = try ObjectReader(request.body)
        let all = body.bool("allSessions", required: false)
        try body.finish()
        allSessions = all ?? false
    }
}

struct ForgotPasswordInput {
    let email: String

    init(_ request: Request) throws(APIError) {
        var body = try ObjectReader(request.body)
        let email = body.email("email")
        try body.finish()
        self.email = email!
    }
}

struct ResetPasswordInput {
    let token: String
    let password: String

    init(_ request: Request) throws(APIError) {
        var body = try ObjectReader(request.body)
        let token = body.string("token", minLength: 1, maxLength: 255)
        let password = body.password("password")
        try body.finish()
        self.token = token!
        self.password = password!
    }
}

/// API.md §2: 8–128 characters; anything else is the user's choice.
public enum PasswordPolicy {
    public static let minLength = 8
    public static let maxLength = 128
}

extension ObjectReader {
    public mutating func password(_ name: String, required: Bool = true) -> String? {
        string(name, required: required, minLength: PasswordPolicy.minLength, maxLength: PasswordPolicy.maxLength)
    }

    /// First and last names: 1–100 characters, not only spaces.
    public mutating func name(_ name: String, required: Bool = true) -> String? {
        guard let text = string(name, required: required, minLength: 1, maxLength: 100) else { return nil }
        guard text.contains(where: { !$0.isWhitespace }) else { fail(name, "must not be blank"); return nil }
        return text
    }
}

/// The answer of register, login and refresh.
struct AuthenticationResult: JSONRepresentable {
    let user: UserRecord
    let tokens: TokenPair
    /// With `X-Cart-Token` naming a live guest cart: the lines the merge capped (API.md §12.1).
    var mergedCart: [JSONValue]? = nil

    var json: JSONValue {
        var object: JSONObject = [
            "user": user.json, "accessToken": .string(tokens.accessToken), "refreshToken": .string(tokens.refreshToken),
            "tokenType": "Bearer", "expiresIn": .int(tokens.expiresIn),
        ]
        if let mergedCart { object["mergedCart"] = .array(mergedCart) }
        return .object(object)
    }
}
