import Orders

extension Configuration {
    public var orderSettings: OrderSettings {
        OrderSettings(
            currency: currency, taxRatePartsPerMillion: taxRatePartsPerMillion, shippingFlat: shippingFlat,
            freeShippingMinimum: freeShippingMinimum, paymentTimeoutSeconds: orderPaymentTimeout, maxPendingOrders: maxPendingOrders)
    }
}
