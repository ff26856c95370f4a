"""Webhook verification and parsing, on payloads shaped like the platforms' documentation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from intake.domain.message import clean_text
from intake.domain.urgency import urgent
from intake.http.meta import MetaNotification, meta_messages
from intake.http.proofs import (
    SignatureError,
    meta_signature,
    verify_handshake,
    verify_meta,
    verify_telegram,
)
from intake.http.telegram import TgUpdate, telegram_messages

# https://core.telegram.org/bots/webhooks#testing-your-bot-with-updates (message with text)
TELEGRAM_TEXT: dict[str, Any] = {
    "update_id": 10000,
    "message": {
        "date": 1441645532,
        "chat": {
            "last_name": "Test Lastname",
            "id": 1111111,
            "type": "private",
            "first_name": "Test Firstname",
            "username": "Testusername",
        },
        "message_id": 1365,
        "from": {
            "last_name": "Test Lastname",
            "id": 1111111,
            "is_bot": False,
            "first_name": "Test Firstname",
            "username": "Testusername",
        },
        "text": "Помогите, муж бьёт",
    },
}

# https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples#text-messages
WHATSAPP_TEXT: dict[str, Any] = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "WHATSAPP_BUSINESS_ACCOUNT_ID",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {
                            "display_phone_number": "PHONE_NUMBER",
                            "phone_number_id": "PHONE_NUMBER_ID",
                        },
                        "contacts": [{"profile": {"name": "NAME"}, "wa_id": "77012345678"}],
                        "messages": [
                            {
                                "from": "77012345678",
                                "id": "wamid.ID",
                                "timestamp": "1700000000",
                                "text": {"body": "MESSAGE_BODY"},
                                "type": "text",
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# https://developers.facebook.com/docs/messenger-platform/instagram/features/webhook
INSTAGRAM_TEXT: dict[str, Any] = {
    "object": "instagram",
    "entry": [
        {
            "id": "<IGID>",
            "time": 1569262486134,
            "messaging": [
                {
                    "sender": {"id": "<IGSID>"},
                    "recipient": {"id": "<IGID>"},
                    "timestamp": 1569262485349,
                    "message": {"mid": "<MESSAGE_ID>", "text": "<MESSAGE_CONTENT>"},
                }
            ],
        }
    ],
}


def test_telegram_secret_token() -> None:
    verify_telegram("s3cret", "s3cret")
    with pytest.raises(SignatureError) as missing:
        verify_telegram("s3cret", None)
    assert missing.value.status == 401
    with pytest.raises(SignatureError) as wrong:
        verify_telegram("s3cret", "s3cres")
    assert wrong.value.status == 403
    with pytest.raises(SignatureError) as off:
        verify_telegram("", "")
    assert off.value.status == 403


def test_meta_signature_covers_every_byte_of_the_body() -> None:
    body = json.dumps(INSTAGRAM_TEXT).encode()
    signature = meta_signature("app-secret", body)
    assert signature.startswith("sha256=")
    assert len(signature) == 7 + 64
    verify_meta("app-secret", signature, body)
    with pytest.raises(SignatureError) as changed:
        verify_meta("app-secret", signature, body.replace(b"CONTENT", b"CONTENX"))
    assert changed.value.status == 403
    with pytest.raises(SignatureError) as missing:
        verify_meta("app-secret", None, body)
    assert missing.value.status == 401
    with pytest.raises(SignatureError):
        verify_meta("other-secret", signature, body)


def test_meta_handshake() -> None:
    assert verify_handshake("tok", "subscribe", "tok")
    assert not verify_handshake("tok", "unsubscribe", "tok")
    assert not verify_handshake("tok", "subscribe", "tok2")
    assert not verify_handshake("", "subscribe", "")


def test_a_telegram_text_message() -> None:
    [message] = telegram_messages(TgUpdate.model_validate(TELEGRAM_TEXT))
    assert (message.platform, message.message_id, message.sender_id) == (
        "telegram",
        "10000",
        "1111111",
    )
    assert message.text == "Помогите, муж бьёт"
    assert message.sender_handle == "Testusername"
    assert message.sent_at.timestamp() == 1441645532


def test_telegram_location_and_contact() -> None:
    located = {**TELEGRAM_TEXT, "update_id": 10001}
    located["message"] = {
        **{k: v for k, v in TELEGRAM_TEXT["message"].items() if k != "text"},
        "location": {"latitude": 51.128207, "longitude": 71.430411},
    }
    [message] = telegram_messages(TgUpdate.model_validate(located))
    assert message.location == (51.128207, 71.430411)
    assert message.text is None
    contact = {**TELEGRAM_TEXT, "update_id": 10002}
    contact["message"] = {
        **{k: v for k, v in TELEGRAM_TEXT["message"].items() if k != "text"},
        "contact": {"phone_number": "+77012345678", "first_name": "Test", "user_id": 1111111},
    }
    [message] = telegram_messages(TgUpdate.model_validate(contact))
    assert message.contact_phone == "+77012345678"


def test_telegram_updates_without_content_are_ignored() -> None:
    assert telegram_messages(TgUpdate.model_validate({"update_id": 1})) == []
    edited = {"update_id": 2, "edited_message": TELEGRAM_TEXT["message"]}
    assert telegram_messages(TgUpdate.model_validate(edited)) == []
    blank = {**TELEGRAM_TEXT, "message": {**TELEGRAM_TEXT["message"], "text": " \x00 "}}
    assert telegram_messages(TgUpdate.model_validate(blank)) == []


def test_a_whatsapp_text_message() -> None:
    [message] = meta_messages(MetaNotification.model_validate(WHATSAPP_TEXT))
    assert (message.platform, message.message_id, message.sender_id) == (
        "whatsapp",
        "wamid.ID",
        "77012345678",
    )
    assert message.text == "MESSAGE_BODY"
    assert message.contact_phone == "+77012345678"
    assert message.sender_name == "NAME"


def test_a_whatsapp_location_and_statuses() -> None:
    value = WHATSAPP_TEXT["entry"][0]["changes"][0]["value"]
    located = {
        "from": "77012345678",
        "id": "wamid.LOC",
        "timestamp": "1700000001",
        "type": "location",
        "location": {"latitude": 51.09, "longitude": 71.41, "name": "NAME", "address": "ADDR"},
    }
    statuses = {"id": "wamid.ID", "status": "delivered", "timestamp": "1", "recipient_id": "7"}
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {"value": {**value, "messages": [located]}, "field": "messages"},
                    {
                        "value": {"messaging_product": "whatsapp", "statuses": [statuses]},
                        "field": "messages",
                    },
                ],
            }
        ],
    }
    [message] = meta_messages(MetaNotification.model_validate(payload))
    assert message.location == (51.09, 71.41)


def test_an_instagram_message_and_echoes() -> None:
    [message] = meta_messages(MetaNotification.model_validate(INSTAGRAM_TEXT))
    assert (message.platform, message.message_id, message.sender_id) == (
        "instagram",
        "<MESSAGE_ID>",
        "<IGSID>",
    )
    echo = json.loads(json.dumps(INSTAGRAM_TEXT))
    echo["entry"][0]["messaging"][0]["message"]["is_echo"] = True
    assert meta_messages(MetaNotification.model_validate(echo)) == []


@pytest.mark.parametrize(
    "text",
    [
        "Он меня убивает",
        "у него НОЖ",
        "помогите пожалуйста",
        "Ол мені өлтіреді",
        "күйеуім пышақпен қорқытып тұр",
        "көмектесіңіздер",
        "муж бьёт",
        "қан ағып жатыр",
    ],
)
def test_urgent_words_in_russian_and_kazakh(text: str) -> None:
    assert urgent(text)


@pytest.mark.parametrize("text", ["Здравствуйте, хочу узнать", "қандай құжат керек?", "", None])
def test_ordinary_messages_are_not_urgent(text: str | None) -> None:
    assert not urgent(text)


def test_clean_text_keeps_sql_and_html_as_text() -> None:
    raw = "<script>x</script>'; DROP TABLE t; --\x07"
    assert clean_text(raw) == "<script>x</script>'; DROP TABLE t; --"
    assert clean_text("   ") is None
    assert clean_text("я" * 20_000) == "я" * 10_000
