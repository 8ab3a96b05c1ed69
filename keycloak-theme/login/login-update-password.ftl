<#import "template.ftl" as layout>
<#import "field.ftl" as field>
<#-- Where activation and reset links land: choose a new password. -->
<#assign confirmError = messagesPerField.existsError('password-confirm')>
<#-- Keycloak reports a password-policy failure as a form-wide error; it belongs under the new password. -->
<#assign policyError = message?has_content && message.type == 'error' && !messagesPerField.existsError('password','password-confirm')>
<#assign newError = messagesPerField.existsError('password') || policyError>
<@layout.registrationLayout displayMessage=!(newError || confirmError); section>
    <#if section = "header">
        ${msg("updatePasswordTitle")}
    <#elseif section = "form">
        <p class="ww-lead">${msg("wwUpdatePasswordLead")}</p>
        <form id="kc-passwd-update-form" class="ww-form" onsubmit="login.disabled = true; return true;" action="${url.loginAction}" method="post">
            <#-- Lets password managers store the new password under the right account. -->
            <#if (auth.attemptedUsername)?has_content>
                <input type="text" name="ww-username" autocomplete="username" value="${auth.attemptedUsername}" hidden>
            </#if>
            <@field.password name="password-new" label=msg("passwordNew") autocomplete="new-password" autofocus=true
                             hintId="ww-password-hint" errorId="input-error-password"
                             error=newError?then(policyError?then(message.summary, messagesPerField.get('password')), "")>
                <p id="ww-password-hint" class="ww-hint"><#if (passwordPolicies.length)?has_content>${msg("wwPasswordHintLength", passwordPolicies.length?c)} </#if>${msg("wwPasswordHint")}</p>
            </@field.password>

            <@field.password name="password-confirm" label=msg("passwordConfirm") autocomplete="new-password"
                             error=confirmError?then(messagesPerField.get('password-confirm'), "")/>

            <@field.checkbox name="logout-sessions" label=msg("logoutOtherSessions") value="on" id="kc-form-options"/>

            <div id="kc-form-buttons" class="ww-actions">
                <@field.submit id="kc-update-password" name="login" label=msg("wwSavePassword")/>
                <#if isAppInitiatedAction??>
                    <button class="ww-btn ww-btn--secondary ww-btn--block" type="submit" name="cancel-aia" value="true">${msg("doCancel")}</button>
                </#if>
            </div>
        </form>
    </#if>
</@layout.registrationLayout>
