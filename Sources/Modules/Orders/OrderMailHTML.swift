import HTTP
import Users

/// The HTML part of an order email: inline styles and a table, the subset of HTML that mail
/// clients render alike. Every value is escaped, since names and addresses come from users.
enum OrderMailHTML {
    static func render(_ order: OrderRecord, greeting: String, paragraphs: [String], address: PostalAddress?) -> String {
        let currency = escape(order.currency.uppercased())
        var html = [
            "<!DOCTYPE html>",
            "<html><body style=\"font-family:Helvetica,Arial,sans-serif;color:#222;max-width:600px\">",
            "<p>\(escape(greeting))</p>",
        ]
        html += paragraphs.map { "<p>\(escape($0))</p>" }
        if let address {
            let lines = [
                address.firstName + " " + address.lastName, address.addressLine1, address.addressLine2,
                "\(address.postalCode) \(address.city), \(address.state)", address.country,
            ].compactMap { $0 }
            html.append("<p style=\"margin-left:1em\">" + lines.map(escape).joined(separator: "<br>") + "</p>")
        }
        html.append("<table style=\"border-collapse:collapse;width:100%\">")
        html.append("<tr><th align=\"left\">Item</th><th align=\"left\">SKU</th><th align=\"right\">Qty</th><th align=\"right\">Price</th><th align=\"right\">Total</th></tr>")
        for item in order.items {
            html.append(
                "<tr><td>\(escape(item.name))</td><td>\(escape(item.sku))</td><td align=\"right\">\(item.quantity)</td>"
                    + "<td align=\"right\">\(item.unitPrice)</td><td align=\"right\">\(item.lineTotal)</td></tr>")
        }
        var rows = [("Subtotal", order.totals.subtotal.description)]
        if let code = order.couponCode { rows.append(("Discount (coupon \(escape(code)))", "-\(order.totals.discount)")) }
        rows += [("Tax", order.totals.tax.description), ("Shipping", order.totals.shipping.description)]
        for (label, amount) in rows {
            html.append("<tr><td colspan=\"4\" align=\"right\">\(label)</td><td align=\"right\">\(amount) \(currency)</td></tr>")
        }
        html.append("<tr><td colspan=\"4\" align=\"right\"><strong>Total</strong></td><td align=\"right\"><strong>\(order.totals.total) \(currency)</strong></td></tr>")
        html.append("</table>")
        html.append("<p style=\"color:#777;font-size:12px\">Order \(escape(order.orderNumber))</p>")
        html.append("</body></html>")
        return html.joined(separator: "\n")
    }

    /// Escaped byte by byte: a Character can join a `<` to a mark before it (`"\u{0600}<"` is one
    /// Character), and comparing Characters would let that `<` through.
    static func escape(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            case UInt8(ascii: "\""): out += Array("&quot;".utf8)
            case UInt8(ascii: "'"): out += Array("&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
