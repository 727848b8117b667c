import Auth

/// The users feature needs exactly what authentication needs.
public typealias UsersContext = AuthContext
