"""Registers for the consent tests, written like the seed operators' promises."""

from __future__ import annotations

from pathlib import Path

from steward.register import Register, load_register

SHOP = """
steward: 1
operator:
  id: shop
  legal_name: Shop LLC
  names: {en: Shop, ru: Магазин}
  country: RU
  contacts: {privacy_email: privacy@shop.example, postal_address: "1 Main St"}
  jurisdictions: [ru-152fz, eu-gdpr]
  languages: [en, ru]
subjects:
  - {id: customer, names: {en: Customer, ru: Клиент}}
purposes:
  - id: service
    names: {en: Service, ru: Сервис}
    descriptions: {en: We run the service., ru: Мы оказываем услугу.}
    basis: contract
    categories: [contact.email]
    subjects: [customer]
  - id: marketing
    names: {en: Marketing, ru: Маркетинг}
    descriptions: {en: Offers., ru: Предложения.}
    basis: consent
    categories: [contact.email, contact.phone]
    subjects: [customer]
    tags: [marketing]
  - id: analytics
    names: {en: Analytics, ru: Аналитика}
    descriptions: {en: Counting visits., ru: Подсчёт посещений.}
    basis: consent
    categories: [device.cookie_id]
    subjects: [customer]
    tags: [analytics]
  - id: ads
    names: {en: Advertising, ru: Реклама}
    descriptions: {en: Targeted ads., ru: Таргетированная реклама.}
    basis: consent
    categories: [device.cookie_id]
    subjects: [customer]
    tags: [advertising, sharing]
  - id: support-access
    names: {en: Support access to your content, ru: Доступ поддержки к данным}
    descriptions: {en: To fix a failure., ru: Чтобы исправить сбой.}
    basis: consent
    categories: [account]
    subjects: [customer]
  - id: registration
    names: {en: Registration, ru: Регистрация}
    descriptions: {en: Your account., ru: Ваша учётная запись.}
    basis: consent
    categories: [contact.email]
    subjects: [customer]
cookies:
  - {name: session, provider: Shop, purpose: service, lifetime: session, party: first}
  - {name: _ga, provider: Google, purpose: analytics, lifetime: P1Y, party: third}
  - {name: _fbp, provider: Meta, purpose: ads, lifetime: P3M, party: third}
consents:
  items:
    - id: marketing-email
      purpose: marketing
      channel: email
      labels: {en: Send me offers by e-mail, ru: Присылайте предложения по почте}
    - id: marketing-calls
      purpose: marketing
      channel: phone
      labels: {en: Call me with offers, ru: Звоните мне с предложениями}
    - id: analytics-cookies
      purpose: analytics
      channel: web
      labels: {en: Allow analytics cookies, ru: Разрешить аналитические cookie}
    - id: support-access
      purpose: support-access
      time_limit: P7D
      labels: {en: Let support see my content for 7 days, ru: Разрешить поддержке доступ на 7 дней}
    - id: registration
      purpose: registration
      labels: {en: I consent to processing under 152-FZ, ru: Я даю согласие по 152-ФЗ}
  age:
    - {jurisdiction: us-coppa, minimum: 13}
    - {jurisdiction: eu-gdpr, guardian_below: 16}
    - {minimum: 10}
"""


def shop_register(tmp_path: Path, text: str = SHOP) -> Register:
    path = tmp_path / "register.yaml"
    path.write_text(text, encoding="utf-8")
    return load_register(path)
