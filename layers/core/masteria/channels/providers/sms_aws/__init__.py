"""SMS over AWS End User Messaging SMS (pinpoint-sms-voice-v2); the SMS sandbox of the local runtime is its twin."""
