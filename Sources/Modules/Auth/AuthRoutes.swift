import HTTP

/// API.md §2.
public enum AuthRoutes {
    public static func routes<Context: AuthContext>() -> [Route<Context>] {
        [
            Route(.post, "/api/auth/register", body: .json) { request, context in
                let input = try RegisterInput(request)
                return Envelope.success(
                    try AuthService(context: context.app).register(input, client: ClientInfo(request), cartToken: request.headers["x-cart-token"]), status: .created)
            },
            Route(.post, "/api/auth/login", body: .json) { request, context in
                let input = try LoginInput(request)
                return Envelope.success(try AuthService(context: context.app).login(input, client: ClientInfo(request), cartToken: request.headers["x-cart-token"]))
            },
            Route(.post, "/api/auth/refresh", body: .json) { request, context in
                let input = try RefreshInput(request)
                return Envelope.success(try AuthService(context: context.app).refresh(input))
            },
            Route(.post, "/api/auth/logout", access: .bearer, body: .json) { request, context in
                let input = try LogoutInput(request)
                try AuthService(context: context.app).logout(input, principal: try context.requirePrincipal())
                return Envelope.success(nil)
            },
            Route(.post, "/api/auth/forgot-password", body: .json) { request, context in
                let input = try ForgotPasswordInput(request)
                try AuthService(context: context.app).forgotPassword(input)
                return Envelope.success(nil, status: .accepted)
            },
            Route(.post, "/api/auth/reset-password", body: .json) { request, context in
                let input = try ResetPasswordInput(request)
                try AuthService(context: context.app).resetPassword(input)
                return Envelope.success(nil)
            },
        ]
    }
}
